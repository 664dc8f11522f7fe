//! How results reach stdout: a table (comfy-table) for people, JSON (stable, documented in
//! `schemas/`) and CSV for scripts. Data goes to stdout only; diagnostics to stderr.
//!
//! Colour and box drawing are used only when stdout is a terminal and `NO_COLOR` is unset.
//! Writes return `io::Result` so that a closed pipe ends the command quietly.

use clap::ValueEnum;
use comfy_table::{ContentArrangement, Table, presets};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::io::{self, BufWriter, IsTerminal, Stdout, Write};

/// The output formats of `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A table for people (the default).
    Table,
    /// JSON, one document; shapes are documented in `schemas/`.
    Json,
    /// CSV with a header line; list values are separated by spaces.
    Csv,
}

/// A record that can be shown as a row.
pub trait Tabular: Serialize {
    /// Column titles, also used as keys when one record is shown.
    const HEADERS: &'static [&'static str];
    /// One cell per header.
    fn cells(&self) -> Vec<Cell>;
}

/// A cell: text, or a list (joined with ", " in tables and " " in CSV).
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    List(Vec<String>),
}

impl Cell {
    pub fn text(s: impl ToString) -> Cell {
        Cell::Text(s.to_string())
    }

    pub fn opt(s: Option<&str>) -> Cell {
        Cell::Text(s.unwrap_or("").to_string())
    }

    pub fn list<T: ToString>(items: &[T]) -> Cell {
        Cell::List(items.iter().map(ToString::to_string).collect())
    }

    fn render(&self, sep: &str) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::List(items) => items.join(sep),
        }
    }
}

/// Where a command writes its results.
#[derive(Debug)]
pub struct Output {
    pub format: Format,
    out: BufWriter<Stdout>,
    terminal: bool,
}

impl Output {
    pub fn stdout(format: Format) -> Output {
        let terminal = io::stdout().is_terminal();
        Output { format, out: BufWriter::with_capacity(64 * 1024, io::stdout()), terminal }
    }

    /// True when stdout is a terminal and colour is allowed.
    pub fn styled(&self) -> bool {
        self.terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
    }

    fn table(&self) -> Table {
        let mut table = Table::new();
        if self.styled() {
            table.load_style(presets::UTF8_HORIZONTAL_ONLY);
            table.set_content_arrangement(ContentArrangement::Dynamic);
        } else {
            table.load_style(presets::NOTHING);
            table.force_no_tty();
        }
        table
    }

    /// A list of records.
    pub fn list<T: Tabular>(&mut self, items: &[T]) -> io::Result<()> {
        match self.format {
            Format::Json => self.json(&items),
            Format::Csv => {
                let mut w = csv::Writer::from_writer(&mut self.out);
                w.write_record(T::HEADERS).map_err(csv_io)?;
                for item in items {
                    w.write_record(item.cells().iter().map(|c| c.render(" "))).map_err(csv_io)?;
                }
                w.flush()?;
                drop(w);
                self.out.flush()
            }
            Format::Table => {
                let mut table = self.table();
                table.set_header(T::HEADERS.iter().map(|h| h.to_uppercase()));
                for item in items {
                    table.add_row(item.cells().iter().map(|c| c.render(", ")));
                }
                writeln!(self.out, "{}", table.trim_fmt())?;
                self.out.flush()
            }
        }
    }

    /// One record: as an object in JSON, as `key  value` lines in a table.
    pub fn show<T: Tabular>(&mut self, item: &T) -> io::Result<()> {
        match self.format {
            Format::Json => self.json(item),
            Format::Csv => self.list(std::slice::from_ref(item)),
            Format::Table => {
                let mut table = self.table();
                for (key, cell) in T::HEADERS.iter().zip(item.cells()) {
                    table.add_row(vec![key.to_string(), cell.render(", ")]);
                }
                writeln!(self.out, "{}", table.trim_fmt())?;
                self.out.flush()
            }
        }
    }

    /// Any serialisable value as pretty JSON.
    pub fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut self.out, value)?;
        writeln!(self.out)?;
        self.out.flush()
    }

    /// The result of a command that changed something: a sentence for people, `value` as JSON
    /// for scripts (and as CSV of that record).
    pub fn done<T: Tabular>(&mut self, sentence: &str, value: &T) -> io::Result<()> {
        match self.format {
            Format::Table => self.line(sentence),
            _ => self.show(value),
        }
    }

    /// A line of text.
    pub fn line(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.out, "{text}")?;
        self.out.flush()
    }
}

/// A CSV error as the I/O error it is (the writer only fails on I/O), so that a closed pipe is
/// recognised.
fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

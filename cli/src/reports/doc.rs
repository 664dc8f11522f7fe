//! A report as data: a title, a period and parts, each with sentences and one table whose
//! columns have a stable English key (JSON) and a label in the report's language. Written as
//! Markdown, CSV (the parts one after the other), JSON (money in integer cents) or a
//! spreadsheet (a summary sheet, then one sheet per part) through [`crate::ops::sheets`].

use std::fmt::Write as _;
use std::path::Path;

use crate::cli::ReportFormat;
use crate::error::Failure;
use crate::ops::sheets;

/// The report's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lang {
    pub english: bool,
}

impl Lang {
    pub fn of(code: &str) -> Lang {
        Lang { english: code == "en" }
    }

    /// The French or the English words.
    pub fn t<'a>(&self, fr: &'a str, en: &'a str) -> &'a str {
        if self.english { en } else { fr }
    }

    /// Pass, fail or no data.
    pub fn verdict(&self, v: Option<bool>) -> String {
        match v {
            Some(true) => self.t("conforme", "pass"),
            Some(false) => self.t("non conforme", "fail"),
            None => self.t("sans objet", "no data"),
        }
        .to_string()
    }
}

/// A value of a cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Text(String),
    Int(i64),
    /// Cents.
    Money(i64),
    /// A number with decimals (a percentage, days).
    Num(f64),
    /// A Paris date or month, as text.
    Date(String),
    Instant(jiff::Timestamp),
    Empty,
}

impl Val {
    pub fn text(s: impl Into<String>) -> Val {
        Val::Text(s.into())
    }

    /// A stored UTC instant, or empty.
    pub fn at(stored: Option<&str>) -> Val {
        stored.and_then(|s| s.parse().ok()).map_or(Val::Empty, Val::Instant)
    }

    fn human(&self, lang: Lang) -> String {
        match self {
            Val::Text(s) | Val::Date(s) => s.clone(),
            Val::Int(n) => n.to_string(),
            Val::Money(c) => amoe_core::money::display(*c, !lang.english),
            Val::Num(n) => {
                let s = format!("{n:.4}");
                let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
                if lang.english { s } else { s.replace('.', ",") }
            }
            Val::Instant(t) => t.to_zoned(amoe_core::time::paris()).strftime("%Y-%m-%d %H:%M").to_string(),
            Val::Empty => String::new(),
        }
    }

    fn plain(&self) -> String {
        match self {
            Val::Money(c) => amoe_core::money::plain(*c),
            Val::Num(n) => {
                let s = format!("{n:.6}");
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            }
            Val::Instant(t) => amoe_core::time::format_utc(*t),
            other => other.human(Lang { english: true }),
        }
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Val::Text(s) | Val::Date(s) => serde_json::Value::String(s.clone()),
            Val::Int(n) | Val::Money(n) => serde_json::json!(n),
            Val::Num(n) => serde_json::json!(n),
            Val::Instant(t) => serde_json::Value::String(amoe_core::time::format_utc(*t)),
            Val::Empty => serde_json::Value::Null,
        }
    }

    fn cell(&self) -> sheets::Value {
        match self {
            Val::Text(s) | Val::Date(s) => sheets::Value::Text(s.clone()),
            Val::Int(n) => sheets::Value::Number(*n as f64),
            Val::Money(c) => sheets::Value::Number(*c as f64 / 100.0),
            Val::Num(n) => sheets::Value::Number(*n),
            Val::Instant(t) => sheets::Value::Instant(*t),
            Val::Empty => sheets::Value::Empty,
        }
    }
}

/// One part of a report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Part {
    /// Stable key (JSON).
    pub key: &'static str,
    pub title: String,
    /// Sentences above the table.
    pub text: Vec<String>,
    /// (key, label) of each column; money columns' keys end in `_cents`.
    pub columns: Vec<(&'static str, String)>,
    pub rows: Vec<Vec<Val>>,
}

impl Part {
    pub fn new(key: &'static str, title: impl Into<String>) -> Part {
        Part { key, title: title.into(), ..Part::default() }
    }

    pub fn columns(mut self, cols: &[(&'static str, &str)]) -> Part {
        self.columns = cols.iter().map(|(k, l)| (*k, l.to_string())).collect();
        self
    }

    pub fn say(&mut self, s: impl Into<String>) {
        self.text.push(s.into());
    }

    pub fn row(&mut self, r: Vec<Val>) {
        debug_assert_eq!(r.len(), self.columns.len(), "{}", self.key);
        self.rows.push(r);
    }
}

/// A report.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    /// `canut`, `qos`…
    pub kind: &'static str,
    pub title: String,
    /// The period in words.
    pub period: String,
    pub lang: Lang,
    pub parts: Vec<Part>,
}

impl Doc {
    /// The part with this key (tests and charts).
    pub fn part(&self, key: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.key == key)
    }

    pub fn markdown(&self) -> String {
        let mut s = format!("# {}\n\n{}\n", self.title, self.period);
        for p in &self.parts {
            let _ = write!(s, "\n## {}\n\n", p.title);
            for t in &p.text {
                let _ = writeln!(s, "{t}\n");
            }
            if p.columns.is_empty() {
                continue;
            }
            if p.rows.is_empty() {
                let _ = writeln!(s, "_{}_\n", self.lang.t("Aucune donnée sur la période.", "Nothing in the period."));
                continue;
            }
            let cell = |v: String| v.replace('|', "\\|").replace('\n', " ");
            let _ =
                writeln!(s, "| {} |", p.columns.iter().map(|(_, l)| cell(l.clone())).collect::<Vec<_>>().join(" | "));
            let _ = writeln!(
                s,
                "|{}|",
                p.rows[0]
                    .iter()
                    .map(|v| if matches!(v, Val::Int(_) | Val::Money(_) | Val::Num(_)) { "---:" } else { "---" })
                    .collect::<Vec<_>>()
                    .join("|")
            );
            for r in &p.rows {
                let _ =
                    writeln!(s, "| {} |", r.iter().map(|v| cell(v.human(self.lang))).collect::<Vec<_>>().join(" | "));
            }
            s.push('\n');
        }
        s
    }

    pub fn json(&self) -> serde_json::Value {
        let parts: Vec<serde_json::Value> = self
            .parts
            .iter()
            .map(|p| {
                let rows: Vec<serde_json::Value> = p
                    .rows
                    .iter()
                    .map(|r| {
                        serde_json::Value::Object(
                            p.columns.iter().zip(r).map(|((k, _), v)| (k.to_string(), v.json())).collect(),
                        )
                    })
                    .collect();
                serde_json::json!({"key": p.key, "title": p.title, "text": p.text, "rows": rows})
            })
            .collect();
        serde_json::json!({
            "report": self.kind,
            "title": self.title,
            "period": self.period,
            "lang": self.lang.t("fr", "en"),
            "parts": parts,
        })
    }

    pub fn csv(&self) -> anyhow::Result<Vec<u8>> {
        let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        w.write_record([self.title.as_str(), self.period.as_str()])?;
        for p in &self.parts {
            w.write_record([""])?;
            w.write_record([p.title.as_str()])?;
            for t in &p.text {
                w.write_record([t.as_str()])?;
            }
            if !p.columns.is_empty() {
                w.write_record(p.columns.iter().map(|(_, l)| l.as_str()))?;
                for r in &p.rows {
                    w.write_record(r.iter().map(|v| sheets::csv_safe(v.plain())))?;
                }
            }
        }
        Ok(w.into_inner().map_err(|e| Failure::new(e.to_string()))?)
    }

    /// The sheets: a summary (title, period, each part's sentences), then one per table.
    pub fn tables(&self) -> Vec<sheets::Table> {
        let mut summary = vec![vec![sheets::Value::Text(self.period.clone())]];
        for p in &self.parts {
            if p.text.is_empty() {
                continue;
            }
            summary.push(vec![sheets::Value::Text(p.title.clone())]);
            for t in &p.text {
                summary.push(vec![sheets::Value::Text(t.clone())]);
            }
        }
        let mut out = vec![sheets::Table {
            name: sheet_name(self.lang.t("Synthèse", "Summary"), &[]),
            headers: vec![self.title.clone()],
            rows: summary,
        }];
        for p in self.parts.iter().filter(|p| !p.columns.is_empty()) {
            let taken: Vec<String> = out.iter().map(|t| t.name.clone()).collect();
            out.push(sheets::Table {
                name: sheet_name(&p.title, &taken),
                headers: p.columns.iter().map(|(_, l)| l.clone()).collect(),
                rows: p.rows.iter().map(|r| r.iter().map(Val::cell).collect()).collect(),
            });
        }
        out
    }

    /// Writes the report to `out` (or standard output for the text formats).
    pub fn write(&self, format: ReportFormat, out: Option<&Path>) -> anyhow::Result<()> {
        let bytes = match format {
            ReportFormat::Md => self.markdown().into_bytes(),
            ReportFormat::Csv => self.csv()?,
            ReportFormat::Json => {
                let mut b = serde_json::to_vec_pretty(&self.json())?;
                b.push(b'\n');
                b
            }
            ReportFormat::Xlsx | ReportFormat::Ods => {
                let path = out.ok_or_else(|| {
                    Failure::usage("a spreadsheet needs a file: pass --out FILE.xlsx or --out FILE.ods")
                })?;
                let f = if format == ReportFormat::Xlsx { sheets::SheetFormat::Xlsx } else { sheets::SheetFormat::Ods };
                return sheets::write(&self.tables(), f, path);
            }
        };
        match out {
            Some(path) => crate::ops::replace_file(path, &bytes, 0o644)
                .map_err(|e| Failure::new(format!("cannot write `{}`: {e}", path.display())).into()),
            None => {
                use std::io::Write;
                let mut so = std::io::stdout().lock();
                so.write_all(&bytes)?;
                Ok(so.flush()?)
            }
        }
    }
}

/// A sheet name: at most 31 characters, none of `[]:*?/\`, unique.
fn sheet_name(title: &str, taken: &[String]) -> String {
    let clean: String = title.chars().filter(|c| !"[]:*?/\\'".contains(*c)).take(28).collect();
    let clean = clean.trim().to_string();
    let mut name = clean.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{clean} {n}");
        n += 1;
    }
    name
}

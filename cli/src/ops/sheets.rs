//! One table (a title row, then rows of text, numbers and instants) written as xlsx
//! (rust_xlsxwriter), ods (spreadsheet-ods), CSV or JSON. Instants are real dates in the
//! spreadsheets, in Europe/Paris time (`yyyy-mm-dd hh:mm`), and RFC 3339 UTC in CSV and JSON.

use std::path::Path;

use crate::error::Failure;

/// A cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// An instant.
    Instant(jiff::Timestamp),
    /// Nothing.
    Empty,
}

/// A sheet: its name, titles and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Sheet name.
    pub name: String,
    /// Column titles.
    pub headers: Vec<String>,
    /// Rows, as long as the titles.
    pub rows: Vec<Vec<Value>>,
}

/// The file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SheetFormat {
    /// Excel (Office Open XML).
    Xlsx,
    /// OpenDocument spreadsheet (LibreOffice).
    Ods,
    /// CSV, one header line.
    Csv,
    /// JSON: one object per row, keyed by title.
    Json,
}

fn paris(t: jiff::Timestamp) -> jiff::civil::DateTime {
    t.to_zoned(amoe_core::time::paris()).datetime()
}

fn text(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Instant(t) => t.to_string(),
        Value::Empty => String::new(),
    }
}

/// Text a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a `'`
/// in front: a customer's ticket title must not run when staff open the CSV.
pub(crate) fn csv_safe(s: String) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.parse::<f64>().is_err() { format!("'{s}") } else { s }
}

/// Writes `tables` to `path` in `format` (CSV and JSON: the first table only).
pub fn write(tables: &[Table], format: SheetFormat, path: &Path) -> anyhow::Result<()> {
    let fail = |e: String| Failure::new(format!("cannot write `{}`: {e}", path.display()));
    let bytes = match format {
        SheetFormat::Ods => {
            // spreadsheet-ods writes to a path: a fresh folder of ours, then a rename.
            let dir = tempfile::Builder::new()
                .prefix(".amoe-ods")
                .tempdir_in(path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")))
                .map_err(|e| fail(e.to_string()))?;
            let tmp = dir.path().join("out.ods");
            ods(tables, &tmp).map_err(|e| fail(e.to_string()))?;
            std::fs::rename(&tmp, path).map_err(|e| fail(e.to_string()))?;
            return Ok(());
        }
        other => bytes(tables, other).map_err(|e| fail(format!("{e:#}")))?,
    };
    crate::ops::replace_file(path, &bytes, 0o644).map_err(|e| fail(e.to_string()))?;
    Ok(())
}

/// `tables` as the bytes of a file in `format` (CSV and JSON: the first table only); ODS,
/// which its library writes only to a path, is refused.
pub fn bytes(tables: &[Table], format: SheetFormat) -> anyhow::Result<Vec<u8>> {
    let fail = |e: String| Failure::new(e);
    Ok(match format {
        SheetFormat::Csv => {
            let t = tables.first().ok_or_else(|| fail("nothing to write".into()))?;
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(&t.headers)?;
            for r in &t.rows {
                w.write_record(r.iter().map(|v| csv_safe(text(v))))?;
            }
            w.into_inner().map_err(|e| fail(e.to_string()))?
        }
        SheetFormat::Json => {
            let t = tables.first().ok_or_else(|| fail("nothing to write".into()))?;
            let rows: Vec<serde_json::Map<String, serde_json::Value>> = t
                .rows
                .iter()
                .map(|r| {
                    t.headers
                        .iter()
                        .zip(r)
                        .map(|(h, v)| {
                            let j = match v {
                                Value::Number(n) => serde_json::json!(n),
                                Value::Empty => serde_json::Value::Null,
                                other => serde_json::Value::String(text(other)),
                            };
                            (h.clone(), j)
                        })
                        .collect()
                })
                .collect();
            let mut b = serde_json::to_vec_pretty(&rows)?;
            b.push(b'\n');
            b
        }
        SheetFormat::Xlsx => xlsx(tables).map_err(|e| fail(e.to_string()))?,
        SheetFormat::Ods => return Err(fail("ODS is written to a file only".into()).into()),
    })
}

fn xlsx(tables: &[Table]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for t in tables {
        let ws = wb.add_worksheet();
        ws.set_name(&t.name)?;
        for (c, h) in t.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, v) in row.iter().enumerate() {
                let c = c as u16;
                match v {
                    Value::Text(s) => {
                        ws.write_string(r, c, s)?;
                    }
                    Value::Number(n) => {
                        ws.write_number(r, c, *n)?;
                    }
                    Value::Instant(ts) => {
                        let dt = paris(*ts);
                        let x = ExcelDateTime::from_ymd(dt.year() as u16, dt.month() as u8, dt.day() as u8)?.and_hms(
                            dt.hour() as u16,
                            dt.minute() as u8,
                            dt.second() as f64,
                        )?;
                        ws.write_datetime_with_format(r, c, &x, &date)?;
                    }
                    Value::Empty => {}
                }
            }
        }
        ws.autofit();
    }
    wb.save_to_buffer()
}

fn ods(tables: &[Table], path: &Path) -> Result<(), spreadsheet_ods::OdsError> {
    use spreadsheet_ods::format::ValueFormatDateTime;
    use spreadsheet_ods::{CellStyle, Sheet, WorkBook};
    let mut wb = WorkBook::new_empty();
    let mut f = ValueFormatDateTime::new_named("amoe-datetime");
    f.part_year().long_style().build();
    f.part_text("-").build();
    f.part_month().long_style().build();
    f.part_text("-").build();
    f.part_day().long_style().build();
    f.part_text(" ").build();
    f.part_hours().long_style().build();
    f.part_text(":").build();
    f.part_minutes().long_style().build();
    let fref = wb.add_datetime_format(f);
    let style = wb.add_cellstyle(CellStyle::new("amoe-date", &fref));
    for t in tables {
        let mut sheet = Sheet::new(&t.name);
        for (c, h) in t.headers.iter().enumerate() {
            sheet.set_value(0, c as u32, h.as_str());
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, v) in row.iter().enumerate() {
                let c = c as u32;
                match v {
                    Value::Text(s) => sheet.set_value(r, c, s.as_str()),
                    Value::Number(n) => sheet.set_value(r, c, *n),
                    Value::Instant(ts) => {
                        let dt = paris(*ts);
                        let naive =
                            chrono::NaiveDate::from_ymd_opt(i32::from(dt.year()), dt.month() as u32, dt.day() as u32)
                                .and_then(|d| d.and_hms_opt(dt.hour() as u32, dt.minute() as u32, dt.second() as u32));
                        if let Some(n) = naive {
                            sheet.set_styled_value(r, c, n, &style);
                        }
                    }
                    Value::Empty => {}
                }
            }
        }
        wb.push_sheet(sheet);
    }
    spreadsheet_ods::write_ods(&mut wb, path)
}

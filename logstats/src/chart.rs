//! A report's periods as a chart: requests per period as bars, the CDN share of requests as a
//! line over them when the logs have a cache field. SVG ([`svg`]) or PNG ([`png`]).
//!
//! Both come from one list of shapes ([`layout`]). The PNG is drawn here (rectangles, thick
//! lines, a built-in 5×7 capital font) and encoded with flate2 and crc32fast, already in the
//! build: no plotting or font library is worth its build time for one bar chart.

use std::fmt::Write as _;
use std::io::Write as _;

use crate::report::Report;

const W: u32 = 960;
const H: u32 = 420;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 70.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 70.0;

const BLUE: [u8; 3] = [0x4a, 0x7e, 0xbb];
const ORANGE: [u8; 3] = [0xd9, 0x82, 0x2b];
const GREY: [u8; 3] = [0xdd, 0xdd, 0xdd];
const BLACK: [u8; 3] = [0x22, 0x22, 0x22];

/// Where a text is anchored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    Start,
    Middle,
    End,
}

/// One thing to draw.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Rect { x: f64, y: f64, w: f64, h: f64, color: [u8; 3], title: Option<String> },
    Line { points: Vec<(f64, f64)>, color: [u8; 3], width: f64 },
    Text { x: f64, y: f64, text: String, color: [u8; 3], anchor: Anchor, big: bool },
}

/// Any series as bars, with an optional share (0 to 1) drawn as a line over them: the
/// contract reports draw theirs with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    /// Above the chart.
    pub title: String,
    /// What a bar counts (`requests`, `EUR excl. VAT`).
    pub bar_name: String,
    /// (label, value) per bar.
    pub bars: Vec<(String, f64)>,
    /// What the line shows, and its value per bar (absent values are skipped).
    pub line_name: String,
    /// One value per bar, 0 to 1.
    pub line: Vec<Option<f64>>,
}

impl Bars {
    /// A report's requests per period and its CDN share.
    pub fn of(report: &Report, title: &str) -> Bars {
        Bars {
            title: title.to_owned(),
            bar_name: "requests".into(),
            bars: report.periods.iter().map(|p| (p.period.clone(), p.requests as f64)).collect(),
            line_name: "CDN share of requests (right scale)".into(),
            line: report.periods.iter().map(|p| p.hit_ratio_requests).collect(),
        }
    }
}

fn layout(chart: &Bars, label_px: Option<f64>) -> Vec<Shape> {
    let mut out = Vec::new();
    let (w, h) = (f64::from(W), f64::from(H));
    out.push(Shape::Text {
        x: LEFT,
        y: 28.0,
        text: chart.title.clone(),
        color: BLACK,
        anchor: Anchor::Start,
        big: true,
    });
    let periods = &chart.bars;
    let plot_w = w - LEFT - RIGHT;
    let plot_h = h - TOP - BOTTOM;
    let max = periods.iter().map(|p| p.1).fold(0.0, f64::max);
    let max = if max > 0.0 { max } else { 1.0 };
    for i in 0..=4 {
        let y = TOP + plot_h * (1.0 - f64::from(i) / 4.0);
        out.push(Shape::Line { points: vec![(LEFT, y), (w - RIGHT, y)], color: GREY, width: 1.0 });
        let v = (max * f64::from(i) / 4.0).round();
        out.push(Shape::Text {
            x: LEFT - 6.0,
            y: y + 4.0,
            text: format!("{v}"),
            color: BLACK,
            anchor: Anchor::End,
            big: false,
        });
    }
    let n = periods.len().max(1) as f64;
    let slot = plot_w / n;
    let bar = (slot * 0.8).max(1.0);
    // Labels that do not overlap: every k-th, k from the label's width (or at most 12).
    let every = match label_px {
        Some(px) => ((px + 8.0) / slot).ceil().max(1.0) as usize,
        None => ((periods.len() as f64 / 12.0).ceil() as usize).max(1),
    };
    let mut line = Vec::new();
    for (i, p) in periods.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let bh = plot_h * p.1.max(0.0) / max;
        out.push(Shape::Rect {
            x,
            y: TOP + plot_h - bh,
            w: bar,
            h: bh,
            color: BLUE,
            title: Some(format!("{}: {} {}", p.0, p.1, chart.bar_name)),
        });
        if i % every == 0 {
            out.push(Shape::Text {
                x: x + bar / 2.0,
                y: h - BOTTOM + 18.0,
                text: p.0.clone(),
                color: BLACK,
                anchor: Anchor::Middle,
                big: false,
            });
        }
        if let Some(r) = chart.line.get(i).copied().flatten() {
            line.push((x + bar / 2.0, TOP + plot_h * (1.0 - r)));
        }
    }
    let has_line = !line.is_empty();
    if has_line {
        out.push(Shape::Line { points: line, color: ORANGE, width: 2.0 });
        for (y, t) in [(TOP + 4.0, "100 %"), (TOP + plot_h + 4.0, "0 %")] {
            out.push(Shape::Text {
                x: w - RIGHT + 6.0,
                y,
                text: t.into(),
                color: ORANGE,
                anchor: Anchor::Start,
                big: false,
            });
        }
    }
    out.push(Shape::Rect { x: LEFT, y: h - 30.0, w: 10.0, h: 10.0, color: BLUE, title: None });
    out.push(Shape::Text {
        x: LEFT + 16.0,
        y: h - 20.0,
        text: chart.bar_name.clone(),
        color: BLUE,
        anchor: Anchor::Start,
        big: false,
    });
    if has_line {
        out.push(Shape::Line {
            points: vec![(LEFT + 130.0, h - 25.0), (LEFT + 150.0, h - 25.0)],
            color: ORANGE,
            width: 2.0,
        });
        out.push(Shape::Text {
            x: LEFT + 156.0,
            y: h - 20.0,
            text: chart.line_name.clone(),
            color: ORANGE,
            anchor: Anchor::Start,
            big: false,
        });
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// The chart as SVG, titled `title`.
pub fn svg(report: &Report, title: &str) -> String {
    bars_svg(&Bars::of(report, title))
}

/// Bars as SVG.
pub fn bars_svg(chart: &Bars) -> String {
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
    );
    for shape in layout(chart, None) {
        let _ = match shape {
            Shape::Rect { x, y, w, h, color, title: Some(t) } => writeln!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{}</title></rect>",
                hex(color),
                esc(&t)
            ),
            Shape::Rect { x, y, w, h, color, title: None } => {
                writeln!(
                    s,
                    "<rect class=\"key\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{}\"/>",
                    hex(color)
                )
            }
            Shape::Line { points, color, width } => {
                let pts: Vec<String> = points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
                writeln!(
                    s,
                    "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\"/>",
                    pts.join(" "),
                    hex(color)
                )
            }
            Shape::Text { x, y, text, color, anchor, big } => {
                let anchor = match anchor {
                    Anchor::Start => "start",
                    Anchor::Middle => "middle",
                    Anchor::End => "end",
                };
                let size = if big { " font-size=\"16\" font-weight=\"bold\"" } else { "" };
                writeln!(
                    s,
                    "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\" fill=\"{}\"{size}>{}</text>",
                    hex(color),
                    esc(&text)
                )
            }
        };
    }
    s.push_str("</svg>\n");
    s
}

/// Rows of a 5×7 glyph, bit 4 the leftmost pixel. Lower case is drawn in capitals.
fn glyph(c: char) -> [u8; 7] {
    let c = match c {
        'à' | 'â' | 'ä' | 'À' | 'Â' => 'A',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' => 'E',
        'î' | 'ï' => 'I',
        'ô' | 'ö' => 'O',
        'ù' | 'û' | 'ü' => 'U',
        'ç' | 'Ç' => 'C',
        '—' | '–' => '-',
        c => c.to_ascii_uppercase(),
    };
    match c {
        '0' => [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e],
        '1' => [0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e],
        '2' => [0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f],
        '3' => [0x1e, 0x01, 0x01, 0x0e, 0x01, 0x01, 0x1e],
        '4' => [0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02],
        '5' => [0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e],
        '6' => [0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e],
        '7' => [0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        '8' => [0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e],
        '9' => [0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c],
        'A' => [0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11],
        'B' => [0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e],
        'C' => [0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e],
        'D' => [0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c],
        'E' => [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f],
        'F' => [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10],
        'G' => [0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f],
        'H' => [0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11],
        'I' => [0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e],
        'J' => [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c],
        'K' => [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
        'L' => [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f],
        'M' => [0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11],
        'N' => [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        'O' => [0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e],
        'P' => [0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10],
        'Q' => [0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d],
        'R' => [0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11],
        'S' => [0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e],
        'T' => [0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'U' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e],
        'V' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04],
        'W' => [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a],
        'X' => [0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11],
        'Y' => [0x11, 0x11, 0x0a, 0x04, 0x04, 0x04, 0x04],
        'Z' => [0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f],
        ' ' => [0; 7],
        '-' => [0, 0, 0, 0x1f, 0, 0, 0],
        ':' => [0, 0x0c, 0x0c, 0, 0x0c, 0x0c, 0],
        '.' => [0, 0, 0, 0, 0, 0x0c, 0x0c],
        ',' => [0, 0, 0, 0, 0x0c, 0x04, 0x08],
        '%' => [0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03],
        '/' => [0, 0x01, 0x02, 0x04, 0x08, 0x10, 0],
        '(' => [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02],
        ')' => [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08],
        '_' => [0, 0, 0, 0, 0, 0, 0x1f],
        '\'' => [0x0c, 0x04, 0x08, 0, 0, 0, 0],
        '+' => [0, 0x04, 0x04, 0x1f, 0x04, 0x04, 0],
        _ => [0x0e, 0x11, 0x01, 0x02, 0x04, 0, 0x04],
    }
}

/// Pixel width of a text at `scale` (6 columns per character with the gap).
fn text_px(text: &str, scale: u32) -> f64 {
    f64::from(text.chars().count() as u32 * 6 * scale)
}

struct Canvas {
    px: Vec<u8>,
}

impl Canvas {
    fn set(&mut self, x: i64, y: i64, c: [u8; 3]) {
        if x >= 0 && y >= 0 && x < i64::from(W) && y < i64::from(H) {
            let i = (y as usize * W as usize + x as usize) * 3;
            self.px[i..i + 3].copy_from_slice(&c);
        }
    }

    fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, c: [u8; 3]) {
        let (x0, y0) = (x.round() as i64, y.round() as i64);
        let (x1, y1) = ((x + w).round() as i64, (y + h).round() as i64);
        for yy in y0..y1.max(y0 + 1) {
            for xx in x0..x1.max(x0 + 1) {
                self.set(xx, yy, c);
            }
        }
    }

    fn line(&mut self, a: (f64, f64), b: (f64, f64), width: f64, c: [u8; 3]) {
        let steps = (b.0 - a.0).abs().max((b.1 - a.1).abs()).ceil().max(1.0) as i64;
        let r = ((width - 1.0) / 2.0).max(0.0);
        for i in 0..=steps {
            let t = i as f64 / steps as f64;
            let (x, y) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
            self.rect(x - r, y - r, width.max(1.0), width.max(1.0), c);
        }
    }

    fn text(&mut self, x: f64, baseline: f64, text: &str, c: [u8; 3], scale: u32) {
        let top = baseline.round() as i64 - 7 * i64::from(scale);
        let mut left = x.round() as i64;
        for ch in text.chars() {
            for (row, bits) in glyph(ch).iter().enumerate() {
                for col in 0..5 {
                    if bits & (0x10 >> col) != 0 {
                        for dy in 0..i64::from(scale) {
                            for dx in 0..i64::from(scale) {
                                self.set(
                                    left + col * i64::from(scale) + dx,
                                    top + row as i64 * i64::from(scale) + dy,
                                    c,
                                );
                            }
                        }
                    }
                }
            }
            left += 6 * i64::from(scale);
        }
    }
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

/// The chart as a PNG (960×420, RGB), titled `title`.
pub fn png(report: &Report, title: &str) -> Vec<u8> {
    bars_png(&Bars::of(report, title))
}

/// Bars as a PNG.
pub fn bars_png(chart: &Bars) -> Vec<u8> {
    let mut canvas = Canvas { px: vec![0xff; (W * H * 3) as usize] };
    let label_px = chart.bars.first().map_or(0.0, |p| text_px(&p.0, 1));
    for shape in layout(chart, Some(label_px)) {
        match shape {
            Shape::Rect { x, y, w, h, color, .. } => canvas.rect(x, y, w, h, color),
            Shape::Line { points, color, width } => {
                for pair in points.windows(2) {
                    canvas.line(pair[0], pair[1], width, color);
                }
            }
            Shape::Text { x, y, text, color, anchor, big } => {
                let scale = if big { 2 } else { 1 };
                let w = text_px(&text, scale);
                let x = match anchor {
                    Anchor::Start => x,
                    Anchor::Middle => x - w / 2.0,
                    Anchor::End => x - w,
                };
                canvas.text(x, y, &text, color, scale);
            }
        }
    }
    let mut raw = Vec::with_capacity(((W * 3 + 1) * H) as usize);
    for row in canvas.px.chunks(W as usize * 3) {
        raw.push(0); // filter: none
        raw.extend_from_slice(row);
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = z.write_all(&raw);
    let idat = z.finish().unwrap_or_default();
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&W.to_be_bytes());
    ihdr.extend_from_slice(&H.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Period;
    use std::io::Read as _;

    fn report(n: usize) -> Report {
        let periods = (0..n)
            .map(|i| Period {
                period: format!("2026-11-27T{i:02}"),
                requests: 10 * (i as u64 + 1),
                bytes: 0,
                visitors: None,
                hit_ratio_requests: Some(0.5),
                hit_ratio_bytes: None,
                share_under_2s: None,
                errors: 0,
            })
            .collect();
        Report {
            requests: 0,
            bytes: 0,
            bad_lines: 0,
            directive_lines: 0,
            unique_ips: 0,
            visitors: 0,
            cache: None,
            time_taken: None,
            status_classes: Default::default(),
            status: Default::default(),
            methods: Default::default(),
            top_urls: vec![],
            untracked_url_requests: 0,
            periods,
            files: vec![],
        }
    }

    #[test]
    fn png_is_well_formed_and_draws_the_bars() {
        let png = png(&report(24), "www — 2026-11-27");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        // Walk the chunks, checking each CRC; inflate the image.
        let (mut at, mut idat, mut kinds) = (8, Vec::new(), Vec::new());
        while at < png.len() {
            let len = u32::from_be_bytes(png[at..at + 4].try_into().expect("len")) as usize;
            let kind = &png[at + 4..at + 8];
            let data = &png[at + 8..at + 8 + len];
            let crc = u32::from_be_bytes(png[at + 8 + len..at + 12 + len].try_into().expect("crc"));
            let mut h = crc32fast::Hasher::new();
            h.update(kind);
            h.update(data);
            assert_eq!(h.finalize(), crc);
            if kind == b"IDAT" {
                idat.extend_from_slice(data);
            }
            kinds.push(String::from_utf8_lossy(kind).into_owned());
            at += 12 + len;
        }
        assert_eq!(kinds, ["IHDR", "IDAT", "IEND"]);
        let mut raw = Vec::new();
        flate2::read::ZlibDecoder::new(&idat[..]).read_to_end(&mut raw).expect("inflate");
        assert_eq!(raw.len(), ((W * 3 + 1) * H) as usize);
        let blue = raw.chunks(3).filter(|p| *p == BLUE).count();
        assert!(blue > 24 * 100, "24 bars drawn: {blue} blue pixels");
    }

    #[test]
    fn svg_has_one_bar_per_period() {
        let s = svg(&report(7), "a <b>");
        assert_eq!(s.matches("<title>").count(), 7);
        assert!(s.contains("a &lt;b&gt;"));
    }
}

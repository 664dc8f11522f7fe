//! A report's periods as an SVG chart: requests per period as bars, the CDN share of
//! requests as a line over them when the logs have a cache field.
//!
//! Hand-written SVG (a few dozen elements): no plotting library is worth its build time for
//! one bar chart; any browser, LibreOffice or Inkscape opens it.

use std::fmt::Write as _;

use crate::report::Report;

const W: f64 = 960.0;
const H: f64 = 420.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 60.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 70.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The chart, titled `title`.
pub fn svg(report: &Report, title: &str) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="{LEFT}" y="28" font-size="16" font-weight="bold">{}</text>
"##,
        esc(title)
    );
    let periods = &report.periods;
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let max = periods.iter().map(|p| p.requests).max().unwrap_or(0).max(1);
    // Axes and four gridlines with their request counts.
    for i in 0..=4 {
        let y = TOP + plot_h * (1.0 - f64::from(i) / 4.0);
        let v = max as f64 * f64::from(i) / 4.0;
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#dddddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            v.round()
        );
    }
    let n = periods.len().max(1) as f64;
    let slot = plot_w / n;
    let bar = (slot * 0.8).max(1.0);
    let label_every = ((periods.len() as f64 / 12.0).ceil() as usize).max(1);
    let mut line = Vec::new();
    for (i, p) in periods.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let h = plot_h * p.requests as f64 / max as f64;
        let _ = writeln!(
            s,
            r##"<rect x="{x:.1}" y="{:.1}" width="{bar:.1}" height="{h:.1}" fill="#4a7ebb"><title>{}: {} requests</title></rect>"##,
            TOP + plot_h - h,
            esc(&p.period),
            p.requests
        );
        if i % label_every == 0 {
            let _ = writeln!(
                s,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
                x + bar / 2.0,
                H - BOTTOM + 18.0,
                esc(&p.period)
            );
        }
        if let Some(r) = p.hit_ratio_requests {
            line.push(format!("{:.1},{:.1}", x + bar / 2.0, TOP + plot_h * (1.0 - r)));
        }
    }
    if !line.is_empty() {
        let _ =
            writeln!(s, r##"<polyline points="{}" fill="none" stroke="#d9822b" stroke-width="2"/>"##, line.join(" "));
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" fill="#d9822b">100 %</text><text x="{:.1}" y="{:.1}" fill="#d9822b">0 %</text>"##,
            W - RIGHT + 6.0,
            TOP + 4.0,
            W - RIGHT + 6.0,
            TOP + plot_h + 4.0
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="{LEFT}" y="{:.1}"><tspan fill="#4a7ebb">■ requests</tspan>{}</text>"##,
        H - 20.0,
        if line.is_empty() {
            ""
        } else {
            r##"  <tspan fill="#d9822b">— CDN share of requests (right scale)</tspan>"##
        }
    );
    s.push_str("</svg>\n");
    s
}

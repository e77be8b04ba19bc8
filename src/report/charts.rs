//! The report's charts, drawn with plotters into SVG text for inlining into the HTML report
//! (the browser renders the labels with the page's fonts, Chinese included). Labels are the
//! report's own words and figures, never text from outside.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The colour of the bars (the report's accent), and of a breach.
const BAR: RGBColor = RGBColor(0x2f, 0x6f, 0xb3);
const MISS: RGBColor = RGBColor(0xc0, 0x39, 0x2b);

/// A bar chart of `bars` (label, value), titled `title`, `w`×`h` pixels; `pct` fixes the
/// axis at 0–100.
pub fn bars(title: &str, bars: &[(String, f64)], w: u32, h: u32, pct: bool) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let top = bars.iter().map(|b| b.1).fold(0.0_f64, f64::max);
        // Room above the tallest bar for its figure (and under the caption).
        let max = if pct { 112.0 } else { (top * 1.15).max(1.0).ceil() };
        // A segmented range counts both its ends: 0..n-1 is n segments.
        let last = bars.len().max(1) as u32 - 1;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(44)
            .build_cartesian_2d((0u32..last).into_segmented(), 0.0..max)
            .map_err(|e| e.to_string())?;
        let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(bars.len().max(1))
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .y_label_formatter(&|y| tick(*y, pct))
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
                let colour = if pct && *v < 90.0 { MISS } else { BAR };
                let x0 = SegmentValue::Exact(i as u32);
                let x1 = SegmentValue::Exact(i as u32 + 1);
                let mut r = Rectangle::new([(x0, 0.0), (x1, *v)], colour.filled());
                r.set_margin(0, 0, 6, 6);
                r
            }))
            .map_err(|e| e.to_string())?;
        // The figure above each bar.
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
                let text = figure(*v, pct);
                let style = ("sans-serif", 12)
                    .into_font()
                    .into_text_style(&root)
                    .pos(Pos::new(HPos::Center, VPos::Bottom));
                Text::new(text, (SegmentValue::CenterOf(i as u32), *v), style)
            }))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(inline(out))
}

/// How wide `text` is drawn at 13 px, near enough to make room for it: a CJK character is
/// about as wide as the font is high, a Latin one a little over half.
fn text_px(text: &str) -> u32 {
    text.chars().map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) as u32 * 7).sum()
}

/// An axis tick: its value, with `%` on a percentage axis, which has none past 100 (the room
/// left there is for the bars' figures).
fn tick(v: f64, pct: bool) -> String {
    match (pct, v > 100.5) {
        (true, true) => String::new(),
        (true, false) => format!("{v:.0}%"),
        _ => format!("{v:.0}"),
    }
}

/// The figure of a bar: the value, with `%` on a percentage axis.
fn figure(v: f64, pct: bool) -> String {
    if pct {
        format!("{v:.1}%")
    } else {
        format!("{v:.0}")
    }
}

/// A bar per row, the label on the left and the figure at the bar's end, `w` pixels wide and
/// as tall as its rows need: for lists that grow with the fleet (one bar per host), where
/// labels under columns would run into each other. `pct` fixes the axis at 0–100; a bar under
/// 99 % is drawn in the breach colour.
pub fn hbars(title: &str, bars: &[(String, f64)], w: u32, pct: bool) -> Result<String, String> {
    let row = 22u32;
    let h = 70 + row * bars.len().max(1) as u32;
    let label_px = bars.iter().map(|b| text_px(&b.0)).max().unwrap_or(0).clamp(40, 360) + 14;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let top = bars.iter().map(|b| b.1).fold(0.0_f64, f64::max);
        // Room right of the longest bar for its figure.
        let max = if pct { 116.0 } else { (top * 1.2).max(1.0).ceil() };
        let last = bars.len().max(1) as u32 - 1;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(26)
            .y_label_area_size(label_px)
            .build_cartesian_2d(0.0..max, (0u32..last).into_segmented())
            .map_err(|e| e.to_string())?;
        let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
        // The first bar on top, as the report's tables list the hosts.
        let at = |i: usize| last - i as u32;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .y_labels(bars.len().max(1))
            .y_label_formatter(&|y| match y {
                SegmentValue::CenterOf(i) => {
                    labels.get((last - (*i).min(last)) as usize).cloned().unwrap_or_default()
                }
                _ => String::new(),
            })
            .x_label_formatter(&|x| tick(*x, pct))
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
                let colour = if pct && *v < 99.0 { MISS } else { BAR };
                let y0 = SegmentValue::Exact(at(i));
                let y1 = SegmentValue::Exact(at(i) + 1);
                let mut r = Rectangle::new([(0.0, y0), (*v, y1)], colour.filled());
                r.set_margin(4, 4, 0, 0);
                r
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
                let style = ("sans-serif", 12)
                    .into_font()
                    .into_text_style(&root)
                    .pos(Pos::new(HPos::Left, VPos::Center));
                Text::new(format!(" {}", figure(*v, pct)), (*v, SegmentValue::CenterOf(at(i))), style)
            }))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(inline(out))
}

/// The colours of a line chart's series, in turn.
const PALETTE: [RGBColor; 6] = [
    RGBColor(0x2f, 0x6f, 0xb3),
    RGBColor(0xc0, 0x39, 0x2b),
    RGBColor(0x27, 0x8c, 0x4f),
    RGBColor(0xd3, 0x84, 0x1c),
    RGBColor(0x7d, 0x3c, 0x98),
    RGBColor(0x55, 0x60, 0x6e),
];

/// A line chart of `series` (name, points of Unix seconds and value) over time, `w`×`h`
/// pixels; the axis is dated in `offset`, fixed at 0–`max` when given. Two points more than
/// one and a half `step`s apart are not joined: a gap, not a line across it.
pub fn lines(
    title: &str,
    series: &[(String, Vec<(i64, f64)>)],
    step: i64,
    offset: chrono::FixedOffset,
    w: u32,
    h: u32,
    max: Option<f64>,
) -> Result<String, String> {
    use chrono::TimeZone;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let all = series.iter().flat_map(|s| s.1.iter());
        let (lo, hi) = all.clone().fold((i64::MAX, i64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
        let (lo, hi) = if lo > hi { (0, 1) } else { (lo, hi.max(lo + 1)) };
        let top = max.unwrap_or_else(|| (all.map(|p| p.1).fold(0.0_f64, f64::max) * 1.15).max(1.0));
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(28)
            .y_label_area_size(44)
            .build_cartesian_2d(lo..hi, 0.0..top)
            .map_err(|e| e.to_string())?;
        let pct = max == Some(100.0);
        chart
            .configure_mesh()
            .x_labels(6)
            .y_labels(5)
            .light_line_style(WHITE)
            .x_label_formatter(&|t| {
                offset
                    .timestamp_opt(*t, 0)
                    .single()
                    .map(|d| d.format("%m-%d").to_string())
                    .unwrap_or_default()
            })
            .y_label_formatter(&|y| if pct { format!("{y:.0}%") } else { format!("{y:.1}") })
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(|e| e.to_string())?;
        for (i, (name, points)) in series.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            let mut runs: Vec<Vec<(i64, f64)>> = Vec::new();
            for p in points {
                match runs.last_mut() {
                    Some(run) if run.last().is_some_and(|q| (p.0 - q.0) * 2 <= step * 3) => run.push(*p),
                    _ => runs.push(vec![*p]),
                }
            }
            for (j, run) in runs.into_iter().enumerate() {
                let drawn = if run.len() == 1 {
                    chart.draw_series(run.iter().map(|p| Circle::new(*p, 2, colour.filled()))).map(|_| ())
                } else {
                    let s = chart.draw_series(LineSeries::new(run, colour.stroke_width(2)));
                    match s {
                        Ok(anno) if j == 0 => {
                            anno.label(name.as_str()).legend(move |(x, y)| {
                                PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2))
                            });
                            Ok(())
                        }
                        Ok(_) => Ok(()),
                        Err(e) => Err(e),
                    }
                };
                drawn.map_err(|e| e.to_string())?;
            }
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", 12))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(inline(out))
}

/// SVG for inlining into HTML5: the namespace declaration is implied there, and the report
/// names no URL at all.
fn inline(svg: String) -> String {
    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_chart_is_svg_with_its_labels_and_no_url() {
        let svg = bars("每周工单", &[("10-05".into(), 3.0), ("10-12".into(), 7.0)], 600, 260, false).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{svg}");
        assert!(svg.contains("每周工单") && svg.contains("10-12"), "{svg}");
        assert!(!svg.contains("http"), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 3, "the background and two bars:\n{svg}");
        let pct = bars("SLA", &[("响应".into(), 95.5), ("解决".into(), 80.0)], 400, 240, true).unwrap();
        assert!(pct.contains("95.5%") && pct.contains("#C0392B"), "{pct}");
        assert!(
            !pct.contains("110%") && !pct.contains("105%") && pct.contains("100%"),
            "no tick past 100 %:\n{pct}"
        );
    }

    /// A row per host however many there are: the chart grows down, each label and figure
    /// is there, a host under 99 % is in the breach colour.
    #[test]
    fn horizontal_bars_grow_with_their_rows() {
        let rows: Vec<(String, f64)> =
            (0..50).map(|i| (format!("演示-海口应用{i}"), if i == 7 { 97.25 } else { 100.0 })).collect();
        let svg = hbars("各主机可用率", &rows, 760, true).unwrap();
        let height: u32 =
            svg.split("height=\"").nth(1).and_then(|h| h.split('"').next()).unwrap().parse().unwrap();
        assert!(height >= 50 * 20, "{height}");
        assert!(svg.contains("演示-海口应用49") && (svg.contains("97.2%") || svg.contains("97.3%")), "{svg}");
        assert_eq!(svg.matches("#C0392B").count(), 1, "one breach");
        assert!(!svg.contains("http"));
    }
}

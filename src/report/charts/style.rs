//! What every chart shares: size, the embedded font, colours (one per
//! strategy, one per activity), and human units for axes.
//!
//! A strategy's colour is picked by its position in the scenario's list of
//! strategies, so it is the same in every chart of a report; so are its
//! line's dash pattern and its marker ([`strategy_dash`],
//! [`strategy_marker`]), which tell overlapping lines apart.

use super::ChartError;
use crate::metrics::round_significant;
use crate::metrics::timeline::Activity;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::{Circle, Color, DrawingArea, DrawingBackend, PathElement, Polygon, Rectangle};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontFamily, FontStyle, RGBColor, TextStyle};
use std::sync::Once;

/// Every chart's size in pixels (the SVG's viewport and the PNG's size).
pub const SIZE: (u32, u32) = (1200, 700);

/// The font family charts name. Drawing registers Noto Sans under it, so
/// PNGs need no system font; SVG viewers use their own sans-serif.
pub const FONT: &str = "sans-serif";

pub const TITLE_SIZE: f64 = 24.0;
pub const TEXT_SIZE: f64 = 16.0;
pub const SMALL_SIZE: f64 = 13.0;

/// Registers the embedded Noto Sans (Apache-2.0, from the `ttf-noto-sans`
/// crate) for [`FONT`], once per process.
pub fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if plotters::style::register_font(FONT, FontStyle::Normal, ttf_noto_sans::REGULAR).is_err() {
            // The font is compiled in; failing to parse it is a build defect.
            panic!("the embedded Noto Sans font does not parse");
        }
    });
}

pub fn text(size: f64) -> TextStyle<'static> {
    TextStyle::from((FontFamily::Name(FONT), size))
}

pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
pub const MUTED: RGBColor = RGBColor(0x77, 0x77, 0x77);

/// Okabe–Ito's colour-blind-safe palette, yellow last (weak on white).
const STRATEGY_COLOURS: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
    RGBColor(0xC9, 0xB8, 0x00), // dark yellow
];

/// The colour of the strategy at `index` in the scenario's list.
pub fn strategy_colour(index: usize) -> RGBColor {
    STRATEGY_COLOURS[index % STRATEGY_COLOURS.len()]
}

/// Values further apart than this factor (the largest over the smallest
/// positive one) get a log axis, or time panels their own time axes.
pub const LOG_SPREAD: f64 = 10.0;

/// Whether the positive finite `values` are more than [`LOG_SPREAD`] apart.
pub fn far_apart(values: impl IntoIterator<Item = f64>) -> bool {
    let positive = values.into_iter().filter(|v| *v > 0.0 && v.is_finite());
    let (low, high) = positive.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    high > 0.0 && high / low > LOG_SPREAD
}

/// How the line of the strategy at `index` is drawn beside its colour, so
/// that overlapping lines stay apart (in grey print and for colour-blind
/// readers too): solid, then dashes of different lengths and dots, as
/// `(dash, gap)` in pixels. Cycles with the colours.
pub fn strategy_dash(index: usize) -> Option<(u32, u32)> {
    const DASHES: [Option<(u32, u32)>; 4] = [None, Some((14, 6)), Some((3, 5)), Some((22, 5))];
    DASHES[index % DASHES.len()]
}

/// A series' marker shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Triangle,
    Square,
    Diamond,
    Cross,
}

/// The marker of the strategy at `index`: a different shape per strategy.
pub fn strategy_marker(index: usize) -> Marker {
    const MARKERS: [Marker; 5] = [Marker::Circle, Marker::Triangle, Marker::Square, Marker::Diamond, Marker::Cross];
    MARKERS[index % MARKERS.len()]
}

/// Draws the strategy at `index`'s line through `points` (pixels of `root`),
/// in its colour and dash pattern.
pub fn draw_strategy_line<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    points: Vec<(i32, i32)>,
    index: usize,
    width: u32,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let colour = strategy_colour(index);
    match strategy_dash(index) {
        None => root.draw(&PathElement::new(points, colour.stroke_width(width)))?,
        Some((dash, gap)) => root.draw(&DashedPathElement::new(points, dash, gap, colour.stroke_width(width)))?,
    }
    Ok(())
}

/// Draws `marker` centred on `(x, y)` (pixels of `root`), filled with
/// `colour` and ringed in white so it stands out on a line.
pub fn draw_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    marker: Marker,
    (x, y): (i32, i32),
    colour: RGBColor,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    const R: i32 = 5;
    let outline = plotters::style::WHITE.stroke_width(1);
    match marker {
        Marker::Circle => {
            root.draw(&Circle::new((x, y), R, colour.filled()))?;
            root.draw(&Circle::new((x, y), R, outline))?;
        }
        Marker::Triangle => {
            let corners = vec![(x, y - R - 1), (x + R + 1, y + R), (x - R - 1, y + R)];
            root.draw(&Polygon::new(corners.clone(), colour.filled()))?;
            root.draw(&PathElement::new([corners.clone(), vec![corners[0]]].concat(), outline))?;
        }
        Marker::Square => {
            root.draw(&Rectangle::new([(x - R + 1, y - R + 1), (x + R - 1, y + R - 1)], colour.filled()))?;
            root.draw(&Rectangle::new([(x - R + 1, y - R + 1), (x + R - 1, y + R - 1)], outline))?;
        }
        Marker::Diamond => {
            let corners = vec![(x, y - R - 1), (x + R + 1, y), (x, y + R + 1), (x - R - 1, y)];
            root.draw(&Polygon::new(corners.clone(), colour.filled()))?;
            root.draw(&PathElement::new([corners.clone(), vec![corners[0]]].concat(), outline))?;
        }
        Marker::Cross => {
            root.draw(&PathElement::new(vec![(x - R, y - R), (x + R, y + R)], colour.stroke_width(3)))?;
            root.draw(&PathElement::new(vec![(x - R, y + R), (x + R, y - R)], colour.stroke_width(3)))?;
        }
    }
    Ok(())
}

/// `#rrggbb` of a colour, for HTML.
pub fn hex(colour: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", colour.0, colour.1, colour.2)
}

/// The fill of an activity in timelines.
pub fn activity_colour(activity: Activity) -> RGBColor {
    match activity {
        Activity::Queued => RGBColor(0xBD, 0xBD, 0xBD),
        Activity::Ready => RGBColor(0xF5, 0xB0, 0x41),
        Activity::Cpu => RGBColor(0x2E, 0x6D, 0xB4),
        Activity::Blocking => RGBColor(0xC0, 0x39, 0x2B),
        Activity::Io => RGBColor(0x7F, 0xC4, 0x7F),
        Activity::Permit => RGBColor(0x8E, 0x6B, 0xBF),
    }
}

/// `colour` blended towards white by `amount` (0: unchanged, 1: white).
pub fn lighten(colour: RGBColor, amount: f64) -> RGBColor {
    let mix = |c: u8| (f64::from(c) + (255.0 - f64::from(c)) * amount).round() as u8;
    RGBColor(mix(colour.0), mix(colour.1), mix(colour.2))
}

/// A unit for a time axis, chosen by the range it must show.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeUnit {
    pub name: &'static str,
    /// Seconds per unit.
    pub seconds: f64,
}

impl TimeUnit {
    /// The unit in which `max_s` seconds reads as 1–1000 (µs, ms, s), or in
    /// minutes and hours beyond two minutes.
    pub fn for_range(max_s: f64) -> TimeUnit {
        let (name, seconds) = if max_s < 1e-3 {
            ("µs", 1e-6)
        } else if max_s < 1.0 {
            ("ms", 1e-3)
        } else if max_s < 120.0 {
            ("s", 1.0)
        } else if max_s < 7200.0 {
            ("min", 60.0)
        } else {
            ("h", 3600.0)
        };
        TimeUnit { name, seconds }
    }

    /// Seconds in this unit.
    pub fn of(&self, seconds: f64) -> f64 {
        seconds / self.seconds
    }
}

/// A tick on a log time axis, in its own unit: `500µs`, `20ms`, `1.5s`,
/// `2min` (a log axis spans decades, so one unit would not suit them all).
pub fn time_tick(seconds: f64) -> String {
    let magnitude = seconds.abs();
    let (scale, unit) = if magnitude == 0.0 {
        return "0".to_string();
    } else if magnitude < 1e-6 {
        (1e-9, "ns")
    } else if magnitude < 1e-3 {
        (1e-6, "µs")
    } else if magnitude < 1.0 {
        (1e-3, "ms")
    } else if magnitude < 120.0 {
        (1.0, "s")
    } else if magnitude < 7200.0 {
        (60.0, "min")
    } else {
        (3600.0, "h")
    };
    format!("{}{unit}", round_significant(seconds / scale, 3))
}

/// Where to label a log axis over `[lo, hi]` (both > 0): the sparsest of
/// decades, 1-2-5 or 1, 1.5, 2…9 per decade that gives at least four
/// ticks.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let multiples: [&[f64]; 3] = [&[1.0], &[1.0, 2.0, 5.0], &[1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]];
    let mut ticks = Vec::new();
    for multiples in multiples {
        ticks.clear();
        let mut decade = lo.log10().floor() as i32;
        while 10f64.powi(decade) <= hi {
            for m in multiples {
                // Rounded, so 3 × 0.1 is 0.3 and not 0.30000000000000004.
                let v = round_significant(m * 10f64.powi(decade), 6);
                if v >= lo && v <= hi {
                    ticks.push(v);
                }
            }
            decade += 1;
        }
        if ticks.len() >= 4 {
            break;
        }
    }
    ticks
}

/// A unit for byte counts, chosen by the largest value.
pub fn byte_unit(max_bytes: f64) -> (&'static str, f64) {
    if max_bytes >= 1024.0 * 1024.0 * 1024.0 {
        ("GiB", 1024.0 * 1024.0 * 1024.0)
    } else if max_bytes >= 1024.0 * 1024.0 {
        ("MiB", 1024.0 * 1024.0)
    } else if max_bytes >= 1024.0 {
        ("KiB", 1024.0)
    } else {
        ("B", 1.0)
    }
}

/// A tick label: at most four significant digits, no float noise
/// (`0.3`, not `0.30000000000000004`; `250`, not `250.0`).
pub fn tick(value: f64) -> String {
    let rounded = round_significant(value, 4);
    if rounded == 0.0 { "0".to_string() } else { format!("{rounded}") }
}

/// The top of an axis showing values up to `max`: a little headroom, and
/// never an empty range.
pub fn headroom(max: f64) -> f64 {
    if max > 0.0 && max.is_finite() { max * 1.05 } else { 1.0 }
}

/// How a legend entry is marked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Swatch {
    /// A line of this colour (a series).
    Line(RGBColor),
    /// The line of the strategy at this index: its colour, dash pattern
    /// and marker.
    Strategy(usize),
    /// A dashed line.
    Dashed(RGBColor),
    /// A filled box (an activity, a bar).
    Fill(RGBColor),
    /// A light box struck through (abandoned work).
    Struck(RGBColor),
    /// A black cross (a task that ended early).
    Cross,
}

/// The chart's title, centred at the top.
pub fn draw_title<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, title: &str) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let (w, _) = root.dim_in_pixel();
    let style = text(TITLE_SIZE).color(&INK).pos(Pos::new(HPos::Center, VPos::Top));
    root.draw_text(title, &style, (w as i32 / 2, 10))?;
    Ok(())
}

/// Draws legend entries left to right from `(x, y)`, wrapping before
/// `max_x`; returns the height used.
pub fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    max_x: i32,
    entries: &[(Swatch, String)],
) -> Result<i32, ChartError>
where
    DB::ErrorType: 'static,
{
    const ROW: i32 = 24;
    const SWATCH: i32 = 26;
    let label = text(TEXT_SIZE).color(&INK).pos(Pos::new(HPos::Left, VPos::Center));
    let (mut cx, mut cy) = (x, y + ROW / 2);
    for (swatch, name) in entries {
        let (tw, _) = root.estimate_text_size(name, &label)?;
        let width = SWATCH + 6 + tw as i32 + 22;
        if cx + width > max_x && cx > x {
            cx = x;
            cy += ROW;
        }
        match *swatch {
            Swatch::Line(c) => {
                root.draw(&PathElement::new(vec![(cx, cy), (cx + SWATCH, cy)], c.stroke_width(3)))?;
            }
            Swatch::Strategy(index) => {
                draw_strategy_line(root, vec![(cx, cy), (cx + SWATCH, cy)], index, 3)?;
                draw_marker(root, strategy_marker(index), (cx + SWATCH / 2, cy), strategy_colour(index))?;
            }
            Swatch::Dashed(c) => {
                for k in 0..3 {
                    let a = cx + k * 10;
                    root.draw(&PathElement::new(vec![(a, cy), (a + 6, cy)], c.stroke_width(2)))?;
                }
            }
            Swatch::Fill(c) => {
                root.draw(&Rectangle::new([(cx, cy - 7), (cx + SWATCH, cy + 7)], c.filled()))?;
            }
            Swatch::Struck(c) => {
                root.draw(&Rectangle::new([(cx, cy - 7), (cx + SWATCH, cy + 7)], lighten(c, 0.55).filled()))?;
                root.draw(&PathElement::new(vec![(cx, cy), (cx + SWATCH, cy)], INK.stroke_width(1)))?;
            }
            Swatch::Cross => {
                let m = cx + SWATCH / 2;
                root.draw(&PathElement::new(vec![(m - 5, cy - 5), (m + 5, cy + 5)], INK.stroke_width(2)))?;
                root.draw(&PathElement::new(vec![(m - 5, cy + 5), (m + 5, cy - 5)], INK.stroke_width(2)))?;
            }
        }
        root.draw_text(name, &label, (cx + SWATCH + 6, cy))?;
        cx += width;
    }
    Ok(cy + ROW / 2 - y)
}

/// A note in small grey text (e.g. "no data").
pub fn draw_note<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    note: &str,
    at: (i32, i32),
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    root.draw_text(note, &text(TEXT_SIZE).color(&MUTED).pos(Pos::new(HPos::Center, VPos::Center)), at)?;
    Ok(())
}

/// The frame of a chart of stacked time panels: the legend across the top
/// and the area below it for the panels, or, when there is nothing to plot,
/// `empty_note` in the middle and `None`.
pub fn panels_area<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    legend: &[(Swatch, String)],
    empty_note: Option<&str>,
) -> Result<Option<DrawingArea<DB, Shift>>, ChartError>
where
    DB::ErrorType: 'static,
{
    let (width, height) = root.dim_in_pixel();
    let legend_height = draw_legend(root, (90, 46), width as i32 - 30, legend)?;
    if let Some(note) = empty_note {
        draw_note(root, note, (width as i32 / 2, height as i32 / 2))?;
        return Ok(None);
    }
    Ok(Some(root.margin(52 + legend_height as u32, 10, 10, 30)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_units_follow_the_range() {
        assert_eq!(TimeUnit::for_range(0.0004).name, "µs");
        assert_eq!(TimeUnit::for_range(0.25).name, "ms");
        assert_eq!(TimeUnit::for_range(15.0).name, "s");
        assert_eq!(TimeUnit::for_range(300.0).name, "min");
        assert_eq!(TimeUnit::for_range(1e5).name, "h");
        assert_eq!(TimeUnit::for_range(0.25).of(0.1), 100.0);
    }

    #[test]
    fn log_time_ticks_carry_their_own_unit() {
        assert_eq!(time_tick(0.001), "1ms");
        assert_eq!(time_tick(0.5), "500ms");
        assert_eq!(time_tick(10.0), "10s");
        assert_eq!(time_tick(2e-5), "20µs");
        assert_eq!(time_tick(300.0), "5min");
    }

    #[test]
    fn log_ticks_suit_the_range() {
        assert_eq!(log_ticks(0.0005, 200.0), [0.001, 0.01, 0.1, 1.0, 10.0, 100.0]);
        assert_eq!(log_ticks(0.15, 9.0), [0.2, 0.5, 1.0, 2.0, 5.0]);
        assert_eq!(log_ticks(4.5, 16.5), [5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 15.0]);
    }

    #[test]
    fn ticks_have_no_float_noise() {
        assert_eq!(tick(0.1 + 0.2), "0.3");
        assert_eq!(tick(250.0), "250");
        assert_eq!(tick(0.0), "0");
        assert_eq!(tick(-0.0), "0");
    }

    #[test]
    fn strategy_colours_differ_and_cycle() {
        assert_ne!(strategy_colour(0), strategy_colour(1));
        assert_eq!(strategy_colour(0), strategy_colour(8));
        assert_eq!(hex(strategy_colour(0)), "#0072b2");
    }

    #[test]
    fn strategies_differ_in_dash_and_marker() {
        assert_eq!(strategy_dash(0), None);
        assert_ne!(strategy_dash(1), strategy_dash(2));
        assert_ne!(strategy_marker(0), strategy_marker(1));
    }

    #[test]
    fn far_apart_is_more_than_ten_times() {
        assert!(far_apart([0.155, 500.0, 0.0]));
        assert!(!far_apart([1.0, 10.0]));
        assert!(!far_apart([0.0, 0.0]));
    }

    #[test]
    fn byte_units() {
        assert_eq!(byte_unit(16_896.0).0, "KiB");
        assert_eq!(byte_unit(3.0e6).0, "MiB");
        assert_eq!(byte_unit(10.0).0, "B");
    }
}

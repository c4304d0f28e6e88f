//! Hover text for a chart's bars, points and lanes: SVG `<title>`
//! tooltips, which browsers show with no script.
//!
//! plotters' SVG backend writes no `<title>`, so a chart's `draw` records,
//! beside what it draws, a [`Tip`] per bar, lane or labelled point: a shape
//! in pixel coordinates and its text. [`Tips::svg`] turns them into one
//! group of invisible shapes (`fill-opacity="0"`, which still receive the
//! pointer) laid over the drawing, each with its `<title>`; [`Tips::insert`]
//! puts that group at the end of the SVG. PNGs ignore them.
//!
//! Bounded: at most [`MAX_TIPS`] per chart (a timeline of 50,000 segments
//! keeps its first ones), so a page stays small. Text is escaped here.

/// Most tips one chart carries.
pub const MAX_TIPS: usize = 4_000;

/// Where a tip is, in the chart's pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TipShape {
    /// A bar or lane: two opposite corners.
    Rect { x0: i32, y0: i32, x1: i32, y1: i32 },
    /// A point, hovered within a few pixels of it.
    Point { x: i32, y: i32 },
}

/// One tooltip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tip {
    pub shape: TipShape,
    pub text: String,
}

/// The tips of one chart, in drawing order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tips {
    tips: Vec<Tip>,
}

/// The radius of a point's hover circle, in pixels.
const POINT_RADIUS: i32 = 6;

impl Tips {
    /// A tip over the rectangle with corners `a` and `b`.
    pub fn rect(&mut self, a: (i32, i32), b: (i32, i32), text: impl Into<String>) {
        let shape = TipShape::Rect { x0: a.0.min(b.0), y0: a.1.min(b.1), x1: a.0.max(b.0), y1: a.1.max(b.1) };
        self.push(shape, text.into());
    }

    /// A tip over the point `(x, y)`.
    pub fn point(&mut self, (x, y): (i32, i32), text: impl Into<String>) {
        self.push(TipShape::Point { x, y }, text.into());
    }

    fn push(&mut self, shape: TipShape, text: String) {
        if self.tips.len() < MAX_TIPS {
            self.tips.push(Tip { shape, text });
        }
    }

    pub fn as_slice(&self) -> &[Tip] {
        &self.tips
    }

    /// The tips as one SVG group of invisible shapes with `<title>`s;
    /// empty when there are none.
    pub fn svg(&self) -> String {
        if self.tips.is_empty() {
            return String::new();
        }
        let mut out = String::from("<g class=\"tips\" fill=\"#000\" fill-opacity=\"0\">\n");
        for tip in &self.tips {
            let title = format!("<title>{}</title>", crate::report::html::escape(&tip.text));
            match tip.shape {
                TipShape::Rect { x0, y0, x1, y1 } => out.push_str(&format!(
                    "<rect x=\"{x0}\" y=\"{y0}\" width=\"{}\" height=\"{}\">{title}</rect>\n",
                    (x1 - x0).max(1),
                    (y1 - y0).max(1)
                )),
                TipShape::Point { x, y } => {
                    out.push_str(&format!("<circle cx=\"{x}\" cy=\"{y}\" r=\"{POINT_RADIUS}\">{title}</circle>\n"))
                }
            }
        }
        out.push_str("</g>\n");
        out
    }

    /// `svg` with the tips laid over it, before its closing `</svg>`.
    pub fn insert(&self, svg: &str) -> String {
        let group = self.svg();
        match svg.rfind("</svg>") {
            Some(end) if !group.is_empty() => format!("{}{group}{}", &svg[..end], &svg[end..]),
            _ => svg.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tips_are_escaped_shapes_before_the_end() {
        let mut tips = Tips::default();
        tips.rect((10, 40), (30, 20), "<b>&</b>");
        tips.point((5, 6), "p99: 1s");
        let svg = tips.insert("<svg>\n<rect/>\n</svg>\n");
        assert!(svg.starts_with("<svg>\n<rect/>\n<g class=\"tips\""), "{svg}");
        assert!(svg.contains(
            "<rect x=\"10\" y=\"20\" width=\"20\" height=\"20\"><title>&lt;b&gt;&amp;&lt;/b&gt;</title></rect>"
        ));
        assert!(svg.contains("<circle cx=\"5\" cy=\"6\" r=\"6\"><title>p99: 1s</title></circle>"));
        assert!(svg.ends_with("</g>\n</svg>\n"));
    }

    #[test]
    fn tips_are_bounded() {
        let mut tips = Tips::default();
        for i in 0..MAX_TIPS + 10 {
            tips.point((0, 0), i.to_string());
        }
        assert_eq!(tips.as_slice().len(), MAX_TIPS);
        assert_eq!(Tips::default().insert("<svg></svg>"), "<svg></svg>");
    }
}

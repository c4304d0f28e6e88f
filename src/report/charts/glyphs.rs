//! Text in PNGs with even letter spacing: a drawing backend that wraps
//! plotters' bitmap backend and lays out glyphs itself.
//!
//! Why: plotters 0.3.7's `ab_glyph` text (`style/font/ab_glyph.rs`) draws
//! each glyph's coverage from the left edge of the glyph's pixel box at the
//! pen position truncated to whole pixels, dropping the glyph's left side
//! bearing and the pen's fraction. Narrow letters (`i`, `l`, `t`, `1`) then
//! sit against their left neighbour and wide gaps open after them: uneven
//! spacing that shows most in small text (13 px tick labels). Here each
//! glyph is positioned at its exact (fractional) pen position, kerning
//! included, and drawn where its outline says, so letters keep the font's
//! spacing.
//!
//! Layout is unchanged: the text box (for anchors and
//! `estimate_text_size`) is plotters' own, the baseline half the size
//! below the box's top, as plotters puts it, and rotated text (y axis
//! titles) is turned the same way. Only the embedded Noto Sans is drawn
//! ([`super::style::FONT`] is the one family charts use). SVG output is not
//! affected: its text is `<text>` elements the viewer lays out.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use plotters::prelude::DrawingBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};
use std::sync::OnceLock;

/// The embedded font, parsed once.
fn font() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(ttf_noto_sans::REGULAR).expect("the embedded Noto Sans parses"))
}

/// Each glyph's coverage at `size` px: `(x, y, coverage)` relative to the
/// text's top-left corner, glyphs at their fractional pen positions.
pub fn coverage(text: &str, size: f64) -> Vec<(i32, i32, f32)> {
    let font = font().as_scaled(PxScale::from(size as f32));
    let baseline = size as f32 / 2.0;
    let mut out = Vec::new();
    let (mut pen, mut previous) = (0f32, None);
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(previous) = previous {
            pen += font.kern(previous, id);
        }
        let glyph = id.with_scale_and_position(font.scale(), point(pen, baseline));
        if let Some(outline) = font.outline_glyph(glyph) {
            let bounds = outline.px_bounds();
            let (left, top) = (bounds.min.x as i32, bounds.min.y as i32);
            outline.draw(|x, y, c| out.push((left + x as i32, top + y as i32, c)));
        }
        pen += font.h_advance(id);
        previous = Some(id);
    }
    out
}

/// A backend whose text is drawn by [`coverage`]; everything else is the
/// wrapped backend's.
pub struct EvenText<B>(pub B);

impl<B: DrawingBackend> DrawingBackend for EvenText<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(pos, size, src)
    }

    /// As plotters' default `draw_text` (the same box, anchor and
    /// rotation), with the glyphs of [`coverage`].
    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) =
            style.layout_box(text).map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let transform = style.transform();
        let (w, h) = self.get_size();
        for (x, y, c) in coverage(text, style.size()) {
            let (x, y) = transform.transform(x + dx - min_x, y + dy - min_y);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                let alpha = color.alpha * f64::from(c.min(1.0));
                self.0.draw_pixel((x, y), BackendColor { alpha, rgb: color.rgb })?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The left edge of each glyph's ink, in pixels.
    fn ink_starts(text: &str, size: f64) -> Vec<i32> {
        let font = font().as_scaled(PxScale::from(size as f32));
        let mut pen = 0f32;
        let mut starts = Vec::new();
        for c in text.chars() {
            let id = font.glyph_id(c);
            let glyph = id.with_scale_and_position(font.scale(), point(pen, 0.0));
            if let Some(outline) = font.outline_glyph(glyph) {
                starts.push(outline.px_bounds().min.x as i32);
            }
            pen += font.h_advance(id);
        }
        starts
    }

    #[test]
    fn glyphs_keep_their_side_bearings() {
        // "l" has a left side bearing: its ink starts right of the pen, so
        // in "ll" the second l's ink starts one advance after the first's.
        let pixels = coverage("l", 13.0);
        let left = pixels.iter().filter(|p| p.2 > 0.5).map(|p| p.0).min().unwrap();
        assert!(left >= 1, "the l's bearing is kept (ink from x = {left})");
        let starts = ink_starts("illi", 13.0);
        let gaps: Vec<i32> = starts.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(gaps.iter().all(|g| (g - gaps[0]).abs() <= 1), "even spacing: {gaps:?}");
    }

    #[test]
    fn coverage_is_deterministic_and_inside_the_box() {
        let a = coverage("p99 latency 155ms", 13.0);
        assert_eq!(a, coverage("p99 latency 155ms", 13.0));
        assert!(a.iter().all(|&(x, y, c)| x >= 0 && (-2..=16).contains(&y) && (0.0..=1.01).contains(&c)));
    }
}

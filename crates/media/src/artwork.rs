//! Cover art: a scanned album's picture, read from the image file or the audio file that
//! embeds it, and resized to an Amazon image style (SL500, SL160, SL110, SL75, SL30: the longest
//! side in pixels); and Medley's own picture, drawn, for items the library has none for.

use std::path::Path;

use lofty::file::TaggedFileExt;
use lofty::picture::PictureType;
use medley_store::Artwork;

/// The styles clients ask for (`amzn-image-style`), and the size each fits the image within.
pub const STYLES: [(&str, u32); 5] = [
    ("SL500", 500),
    ("SL160", 160),
    ("SL110", 110),
    ("SL75", 75),
    ("SL30", 30),
];

/// The id of Medley's own picture, for items the library has none for (Alexa wants art).
pub const OWN_ART: &str = "medley";
/// Its size as it is.
const OWN_ART_PX: u32 = 600;

/// Medley's own picture, drawn (a record on a blue ground) at `px`×`px`, as a PNG.
fn own_art(px: u32) -> Result<Picture, PictureError> {
    let c = px as f32 / 2.0;
    let img = image::RgbImage::from_fn(px, px, |x, y| {
        let r = ((x as f32 - c).powi(2) + (y as f32 - c).powi(2)).sqrt() / c;
        match r {
            r if r < 0.12 => image::Rgb([240, 200, 60]),
            r if r < 0.16 => image::Rgb([20, 20, 24]),
            r if r < 0.86 => {
                let groove = ((r * 60.0).sin() * 10.0) as u8;
                image::Rgb([24 + groove, 24 + groove, 30 + groove])
            }
            _ => image::Rgb([31, 79, 209]),
        }
    });
    let mut bytes = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut bytes),
        image::ImageFormat::Png,
    )
    .map_err(|e| PictureError::Drawing(e.to_string()))?;
    Ok(Picture {
        mime: "image/png".into(),
        bytes,
    })
}

/// The style of `amzn-image-style`, if it is one Medley knows (case aside).
pub fn style(value: &str) -> Option<&'static str> {
    STYLES.iter().map(|(s, _)| *s).find(|s| is_style(s, value))
}

/// Whether `value` names `style`: in any case, with ASCII white space around it (as
/// `/openapi.json` says).
fn is_style(style: &str, value: &str) -> bool {
    style.eq_ignore_ascii_case(value.trim_matches(['\t', '\n', '\u{b}', '\u{c}', '\r', ' ']))
}

/// An image to send: its bytes and their media type.
#[derive(Debug)]
pub struct Picture {
    pub mime: String,
    pub bytes: Vec<u8>,
}

/// Why a picture could not be made.
#[derive(Debug)]
pub enum PictureError {
    /// The artwork's file is gone, or holds no picture that can be decoded.
    Unreadable(String),
    /// Medley's own picture could not be encoded.
    Drawing(String),
}

fn unreadable(a: &Artwork, why: impl std::fmt::Display) -> PictureError {
    PictureError::Unreadable(format!("the artwork '{}' cannot be read: {why}", a.id))
}

/// The original picture, from its file or from the audio file that embeds it.
fn original(a: &Artwork) -> Result<Picture, PictureError> {
    if a.embedded {
        let file = lofty::read_from_path(&a.source).map_err(|e| unreadable(a, e))?;
        let tag = file
            .primary_tag()
            .or_else(|| file.first_tag())
            .ok_or_else(|| unreadable(a, "the file has no tag"))?;
        let pics = tag.pictures();
        let pic = pics
            .iter()
            .find(|p| p.pic_type() == PictureType::CoverFront)
            .or_else(|| pics.first())
            .ok_or_else(|| unreadable(a, "the file embeds no picture"))?;
        let mime = pic
            .mime_type()
            .map(|m| m.as_str().to_string())
            .unwrap_or_else(|| "image/jpeg".into());
        return Ok(Picture {
            mime,
            bytes: pic.data().to_vec(),
        });
    }
    let bytes = std::fs::read(&a.source).map_err(|e| unreadable(a, e))?;
    let png = Path::new(&a.source)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    Ok(Picture {
        mime: if png { "image/png" } else { "image/jpeg" }.into(),
        bytes,
    })
}

/// The picture fitted within `size`×`size` as a JPEG; a smaller picture is kept as it is.
fn fit(a: &Artwork, p: Picture, size: u32) -> Result<Picture, PictureError> {
    let img = image::load_from_memory(&p.bytes).map_err(|e| unreadable(a, e))?;
    if img.width() <= size && img.height() <= size {
        return Ok(p);
    }
    let small = img.thumbnail(size, size).to_rgb8();
    let mut bytes = Vec::new();
    small
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Jpeg,
        )
        .map_err(|e| unreadable(a, e))?;
    Ok(Picture {
        mime: "image/jpeg".into(),
        bytes,
    })
}

/// Artwork `art` (or Medley's own picture for `None`), fitted within `size`×`size` or as it is.
/// Blocking: reads and decodes files.
pub fn picture(art: Option<&Artwork>, size: Option<u32>) -> Result<Picture, PictureError> {
    match art {
        None => own_art(size.unwrap_or(OWN_ART_PX)),
        Some(art) => {
            let p = original(art)?;
            match size {
                Some(px) => fit(art, p, px),
                None => Ok(p),
            }
        }
    }
}

/// The size in pixels of a style (one of `STYLES`, in any case, white space around it aside).
pub fn style_px(value: &str) -> Option<u32> {
    STYLES
        .iter()
        .find(|(name, _)| is_style(name, value))
        .map(|(_, px)| *px)
}

#[cfg(test)]
mod tests {
    use super::style;

    #[test]
    fn styles_are_read_in_any_case() {
        assert_eq!(style(" sl160 "), Some("SL160"));
        assert_eq!(style("SL1000"), None);
    }
}

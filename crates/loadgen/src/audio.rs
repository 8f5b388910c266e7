//! Real, tagged audio files for tests and benchmarks: a mono 16-bit PCM WAV tone with an ID3v2
//! tag, written without any encoder (`medley_core::wav`).

use std::path::Path;

use lofty::config::WriteOptions;
use lofty::picture::{MimeType, Picture, PictureType};
use lofty::tag::{Accessor, ItemKey, Tag, TagExt, TagType};

/// Samples per second of the generated tones.
pub const RATE: u32 = 8000;

/// What a generated file's tag says.
#[derive(Clone, Copy, Debug)]
pub struct Tags<'a> {
    pub title: &'a str,
    pub artist: &'a str,
    pub album: &'a str,
    pub album_artist: Option<&'a str>,
    pub disc: u32,
    pub track: u32,
    pub genre: &'a str,
    /// `YYYY-MM-DD`.
    pub date: &'a str,
    /// A JPEG to embed as the front cover.
    pub cover: Option<&'a [u8]>,
}

/// Writes a WAV file of a `pitch` Hz tone lasting `millis`.
pub fn write_wav(path: &Path, millis: u32, pitch: f64) -> std::io::Result<()> {
    let samples: Vec<i16> = (0..RATE * millis / 1000)
        .map(|i| {
            let v = (f64::from(i) / f64::from(RATE) * pitch * std::f64::consts::TAU).sin();
            (v * 8000.0) as i16
        })
        .collect();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, medley_core::wav::pcm16(RATE, &samples))
}

/// Writes (or replaces) the file's ID3v2 tag.
pub fn write_tags(path: &Path, t: &Tags) -> Result<(), lofty::error::LoftyError> {
    let mut tag = Tag::new(TagType::Id3v2);
    tag.set_title(t.title.into());
    tag.set_artist(t.artist.into());
    tag.set_album(t.album.into());
    tag.set_track(t.track);
    tag.set_disk(t.disc);
    tag.set_genre(t.genre.into());
    tag.insert_text(ItemKey::RecordingDate, t.date.into());
    if let Some(a) = t.album_artist {
        tag.insert_text(ItemKey::AlbumArtist, a.into());
    }
    if let Some(jpeg) = t.cover {
        tag.push_picture(Picture::new_unchecked(
            PictureType::CoverFront,
            Some(MimeType::Jpeg),
            None,
            jpeg.to_vec(),
        ));
    }
    tag.save_to_path(path, WriteOptions::default())
}

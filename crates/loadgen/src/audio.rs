//! Real, tagged audio files for tests and benchmarks: a mono 16-bit PCM WAV tone written
//! without any encoder (`medley_core::wav`), or a stereo tone in any of the formats Medley
//! scans, encoded by ffmpeg; tags (and cover art) written with lofty in the file's own kind.

use std::path::Path;

use lofty::config::WriteOptions;
use lofty::picture::{MimeType, Picture, PictureType};
use lofty::probe::Probe;
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

/// Whether `ffmpeg` runs here (the formats other than WAV need it).
pub fn ffmpeg_available() -> bool {
    std::process::Command::new("ffmpeg")
        .arg("-version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Writes `seconds` of a stereo `pitch` Hz tone at `rate` Hz with ffmpeg, in the format the
/// extension names: `.flac` (`bits` 16 or 24), `.mp3`, `.ogg` (Vorbis), `.opus`, `.m4a` (AAC)
/// or `.wav` (16 bits).
pub fn encode_tone(
    path: &Path,
    seconds: f64,
    pitch: f64,
    rate: u32,
    bits: u8,
) -> std::io::Result<()> {
    encode_tagged_tone(path, seconds, pitch, rate, bits, &[])
}

/// As `encode_tone`, with ffmpeg writing `metadata` (its keys: `title`, `disc`, `track`,
/// `album_artist`, `compilation`, …) the way its muxer for the format writes tags, as many
/// rippers and taggers do (`DISCNUMBER=2/2` in Vorbis comments, `TPOS` in ID3, `disk` in MP4).
pub fn encode_tagged_tone(
    path: &Path,
    seconds: f64,
    pitch: f64,
    rate: u32,
    bits: u8,
    metadata: &[(&str, &str)],
) -> std::io::Result<()> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let codec: &[&str] = match ext {
        "flac" if bits > 16 => &["-c:a", "flac", "-sample_fmt", "s32"],
        "flac" => &["-c:a", "flac", "-sample_fmt", "s16"],
        "mp3" => &["-c:a", "libmp3lame", "-b:a", "192k"],
        "ogg" => &["-c:a", "libvorbis", "-q:a", "4"],
        "opus" => &["-c:a", "libopus", "-b:a", "96k"],
        "m4a" => &["-c:a", "aac", "-b:a", "160k"],
        "wav" => &["-c:a", "pcm_s16le"],
        other => return Err(std::io::Error::other(format!("no encoder for .{other}"))),
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let out = std::process::Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg(format!(
            "sine=frequency={pitch}:sample_rate={rate}:duration={seconds}"
        ))
        .args(["-ac", "2"])
        .args(codec)
        .args(
            metadata
                .iter()
                .flat_map(|(k, v)| ["-metadata".to_string(), format!("{k}={v}")]),
        )
        .arg(path)
        .output()?;
    if !out.status.success() {
        return Err(std::io::Error::other(format!(
            "ffmpeg could not write {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(())
}

/// Writes (or replaces) the file's tag, of the kind its format uses (ID3v2 for WAV and MP3,
/// Vorbis comments for FLAC and Ogg, an ilst atom for M4A).
pub fn write_tags(path: &Path, t: &Tags) -> Result<(), lofty::error::LoftyError> {
    let kind = Probe::open(path)?
        .guess_file_type()?
        .file_type()
        .map_or(TagType::Id3v2, |f| f.primary_tag_type());
    let mut tag = Tag::new(kind);
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

//! Scanning a folder of audio files into a catalog (`medley catalog import FOLDER`):
//! tags and durations are read with lofty; ids are derived from what identifies each thing
//! (an artist's name, an album's artist and title, a track's path inside the folder), so a
//! re-scan keeps every id, and with it history, follows and library entries.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lofty::file::{AudioFile, FileType, TaggedFile, TaggedFileExt};
use lofty::tag::{Accessor, ItemKey, Tag};
use medley_core::audio::{AudioFormat, Codec};
use medley_core::catalog::{Album, Artist, CatalogFile, Image, Track};
use medley_store::Artwork;
use sha2::{Digest, Sha256};

/// File extensions scanned (case-insensitive).
pub const AUDIO_EXTENSIONS: [&str; 9] = [
    "flac", "mp3", "ogg", "oga", "opus", "m4a", "mp4", "aac", "wav",
];

/// Image files beside the audio that are an album's cover, in order of preference.
const COVER_FILES: [&str; 4] = ["cover", "folder", "front", "album"];
/// The album artist of a compilation whose files name none.
const VARIOUS_ARTISTS: &str = "Various Artists";

/// What a scan found: the catalog, its albums' cover art, how many audio files it read, and
/// those it could not.
#[derive(Debug, Default)]
pub struct Scan {
    pub catalog: CatalogFile,
    pub artwork: Vec<Artwork>,
    pub files: usize,
    pub skipped: Vec<(PathBuf, String)>,
    /// The tracks of files that are there but could not be read now: kept as they were.
    pub unreadable: Vec<String>,
    /// Whether every folder under the root could be listed; if not, a file not found is not
    /// known to be gone.
    pub complete: bool,
}

/// A stable catalog id: a kind prefix and 20 hex digits of a hash of the identifying text.
fn stable_id(prefix: &str, key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let hex: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{}", hex.to_ascii_uppercase())
}

fn folded(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Audio files under `root`, sorted by path, and the entries that could not be read.
fn audio_files(root: &Path) -> (Vec<PathBuf>, Vec<(PathBuf, String)>, bool) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut complete = true;
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => {
                errors.push((dir, e.to_string()));
                complete = false;
                continue;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => dirs.push(path),
                Ok(_) => {
                    let audio = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                        AUDIO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str())
                    });
                    if audio {
                        files.push(path);
                    }
                }
                Err(e) => {
                    errors.push((path, e.to_string()));
                    complete = false;
                }
            }
        }
    }
    files.sort();
    (files, errors, complete)
}

/// What one file says about itself.
struct FileTags {
    title: String,
    artist: String,
    album: Option<String>,
    album_artist: Option<String>,
    track: Option<u32>,
    disc: Option<u32>,
    /// Flagged as a compilation (`TCMP`, `COMPILATION`, `cpil`).
    compilation: bool,
    date: Option<String>,
    genre: Option<String>,
    isrc: Option<String>,
    duration: u32,
    audio: Option<AudioFormat>,
    /// The file embeds a picture.
    picture: bool,
}

/// What the file's audio is, when lofty knows its encoding.
fn audio_format(file: &TaggedFile) -> Option<AudioFormat> {
    let p = file.properties();
    let codec = match file.file_type() {
        FileType::Flac => Codec::Flac,
        FileType::Mpeg => Codec::Mp3,
        FileType::Vorbis => Codec::Vorbis,
        FileType::Opus => Codec::Opus,
        FileType::Wav => Codec::Wav,
        FileType::Aac => Codec::Aac,
        // lofty reports a bit depth for MP4's lossless codecs only.
        FileType::Mp4 if p.bit_depth().is_some() => Codec::Alac,
        FileType::Mp4 => Codec::Aac,
        _ => return None,
    };
    Some(AudioFormat {
        codec,
        sample_rate: p.sample_rate()?,
        bit_depth: p.bit_depth().filter(|_| codec.lossless()),
        kbps: p.audio_bitrate().or(p.overall_bitrate()).unwrap_or(0),
        channels: p.channels().unwrap_or(2),
    })
}

/// What an audio file holds, if it can be read; for files named by a catalog file.
pub fn probe(path: &Path) -> Option<AudioFormat> {
    audio_format(&lofty::read_from_path(path).ok()?)
}

fn text(tag: Option<&Tag>, key: &ItemKey) -> Option<String> {
    tag.and_then(|t| t.get_string(key))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// A track or disc number as taggers write it: `3`, `03` or `3/12`.
fn position(tag: Option<&Tag>, key: &ItemKey) -> Option<u32> {
    let s = text(tag, key)?;
    s.split('/').next()?.trim().parse().ok().filter(|&n| n > 0)
}

/// The file, and whether it is an MP3 flagged as a compilation the way ffmpeg and some taggers
/// write it (a `TXXX` frame named `TCMP` or `COMPILATION`), which lofty's common tag leaves out.
fn open(path: &Path) -> lofty::error::Result<(TaggedFile, bool)> {
    let mp3 = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("mp3"));
    if !mp3 {
        return Ok((lofty::read_from_path(path)?, false));
    }
    let mut f = std::fs::File::open(path)?;
    let mpeg = lofty::mpeg::MpegFile::read_from(&mut f, lofty::config::ParseOptions::new())?;
    let flagged = mpeg.id3v2().is_some_and(|t| {
        ["TCMP", "COMPILATION"]
            .iter()
            .any(|d| t.get_user_text(d).is_some_and(|v| v.trim() == "1"))
    });
    Ok((mpeg.into(), flagged))
}

fn read(path: &Path) -> Result<FileTags, String> {
    let (file, flagged) = open(path).map_err(|e| format!("not a readable audio file ({e})"))?;
    let tag = file.primary_tag().or_else(|| file.first_tag());
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let get = |f: fn(&Tag) -> Option<std::borrow::Cow<'_, str>>| {
        tag.and_then(f)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    // Whole seconds, a short clip counting as one.
    let seconds = file.properties().duration().as_secs_f64();
    if seconds <= 0.0 {
        return Err("no audio in it (its duration is zero)".into());
    }
    let duration = seconds.round().max(1.0) as u32;
    let date = text(tag, &ItemKey::RecordingDate)
        .or_else(|| text(tag, &ItemKey::Year))
        .or_else(|| tag.and_then(|t| t.year()).map(|y| y.to_string()))
        .filter(|d| d.len() >= 4 && d[..4].bytes().all(|b| b.is_ascii_digit()))
        .map(|d| d.chars().take(10).collect());
    Ok(FileTags {
        title: get(|t| t.title()).unwrap_or(stem),
        artist: get(|t| t.artist()).unwrap_or_else(|| "Unknown Artist".into()),
        album: get(|t| t.album()),
        album_artist: text(tag, &ItemKey::AlbumArtist),
        track: position(tag, &ItemKey::TrackNumber),
        disc: position(tag, &ItemKey::DiscNumber),
        compilation: flagged
            || text(tag, &ItemKey::FlagCompilation)
                .is_some_and(|f| f == "1" || f.eq_ignore_ascii_case("true")),
        date,
        genre: get(|t| t.genre()),
        isrc: text(tag, &ItemKey::Isrc).map(|s| s.to_ascii_uppercase()),
        duration,
        audio: audio_format(&file),
        picture: tag.is_some_and(|t| !t.pictures().is_empty()),
    })
}

/// Where a track goes in its album: (disc, track number, title, track id).
type AlbumEntry = (u32, u32, String, String);

/// A cover image file in `dir` (cover.jpg, folder.png, …), if there is one.
fn cover_file(dir: &Path) -> Option<PathBuf> {
    let mut found: Vec<(usize, PathBuf)> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            let ext = path.extension()?.to_str()?.to_ascii_lowercase();
            if !["jpg", "jpeg", "png"].contains(&ext.as_str()) {
                return None;
            }
            let stem = path.file_stem()?.to_str()?.to_ascii_lowercase();
            let rank = COVER_FILES.iter().position(|c| *c == stem)?;
            Some((rank, path))
        })
        .collect();
    found.sort();
    found.into_iter().next().map(|(_, p)| p)
}

/// An album's cover: the picture embedded in one of its files, else an image file beside them.
fn artwork_for(path: &Path, tags: &FileTags) -> Option<Artwork> {
    let (source, embedded) = if tags.picture {
        (path.to_path_buf(), true)
    } else {
        (cover_file(path.parent()?)?, false)
    };
    let source = source.to_string_lossy().into_owned();
    Some(Artwork {
        id: stable_id("MIM", &format!("{embedded}\n{source}")),
        source,
        embedded,
    })
}

/// Scans `root`; `progress(done, total)` is called after each file.
pub fn scan(root: &Path, progress: &mut dyn FnMut(usize, usize)) -> Scan {
    let (files, mut skipped, complete) = audio_files(root);
    let mut unreadable = Vec::new();
    let mut artists: BTreeMap<String, Artist> = BTreeMap::new();
    let mut albums: BTreeMap<String, (Album, Vec<AlbumEntry>)> = BTreeMap::new();
    let mut tracks = Vec::new();
    let mut artwork = Vec::new();
    let artist_id = |name: &str, artists: &mut BTreeMap<String, Artist>| {
        let id = stable_id("MAR", &folded(name));
        artists.entry(id.clone()).or_insert_with(|| Artist {
            id: id.clone(),
            name: name.to_string(),
            images: Vec::new(),
        });
        id
    };
    for (i, path) in files.iter().enumerate() {
        progress(i + 1, files.len());
        let relative = path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let id = stable_id("MTR", &relative);
        let tags = match read(path) {
            Ok(t) => t,
            Err(e) => {
                skipped.push((path.clone(), e));
                unreadable.push(id);
                continue;
            }
        };
        let performer = artist_id(&tags.artist, &mut artists);
        let album_id = tags.album.as_ref().map(|title| {
            let by = match (&tags.album_artist, tags.compilation) {
                (Some(a), _) => a.as_str(),
                (None, true) => VARIOUS_ARTISTS,
                (None, false) => &tags.artist,
            };
            let album_id = stable_id("MAL", &format!("{}\n{}", folded(by), folded(title)));
            let album_artist = artist_id(by, &mut artists);
            let entry = albums.entry(album_id.clone()).or_insert_with(|| {
                (
                    Album {
                        id: album_id.clone(),
                        title: title.clone(),
                        artist_ids: vec![album_artist],
                        track_ids: Vec::new(),
                        release_date: None,
                        images: Vec::new(),
                    },
                    Vec::new(),
                )
            });
            if entry.0.release_date.is_none() {
                entry.0.release_date = tags.date.clone();
            }
            if entry.0.images.is_empty() {
                if let Some(art) = artwork_for(path, &tags) {
                    entry.0.images.push(Image {
                        url: format!("/media/images/{}", art.id),
                    });
                    artwork.push(art);
                }
            }
            entry.1.push((
                tags.disc.unwrap_or(1),
                tags.track.unwrap_or(u32::MAX),
                tags.title.clone(),
                id.clone(),
            ));
            album_id
        });
        tracks.push(Track {
            id,
            title: tags.title,
            isrc: tags.isrc,
            duration: tags.duration,
            album_id,
            artist_ids: vec![performer],
            explicit: false,
            genre: tags.genre,
            disc_number: tags.disc,
            track_number: tags.track,
            file: Some(path.to_string_lossy().into_owned()),
            audio: tags.audio,
        });
    }
    let albums = albums
        .into_values()
        .map(|(mut album, mut order)| {
            order.sort();
            album.track_ids = order.into_iter().map(|(_, _, _, id)| id).collect();
            album
        })
        .collect();
    Scan {
        catalog: CatalogFile {
            artists: artists.into_values().collect(),
            albums,
            tracks,
            ..Default::default()
        },
        artwork,
        files: files.len(),
        skipped,
        unreadable,
        complete,
    }
}

#[cfg(test)]
mod tests {
    use super::stable_id;

    #[test]
    fn ids_are_stable_and_valid_catalog_ids() {
        let a = stable_id("MTR", "Artist/Album/01 Song.flac");
        assert_eq!(a, stable_id("MTR", "Artist/Album/01 Song.flac"));
        assert_ne!(a, stable_id("MTR", "Artist/Album/02 Song.flac"));
        assert!(medley_core::mrn::valid_catalog_id(&a), "{a}");
    }
}

//! `medley alexa catalogs --out DIR`: the library written as Alexa music catalogs, one file per
//! catalog type, in the Music Catalog Reference format (docs/alexa.md, "Catalogs for voice";
//! docs/alexa-catalog.schema.json). The folder remembers the export before
//! (`medley-catalog-state.jsonl`): an unchanged entity keeps its `lastUpdatedTime`, and an
//! entity that left the library is written as deleted for 30 days.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use medley_core::text::spoken_title;
use medley_core::time::iso8601_ms;
use medley_service::voice_catalog::{popularity, VoicePages};
use medley_service::Medley;
use medley_store::{VoiceEntry, VoiceKind};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Each catalog: its kind, file and catalog type.
const CATALOGS: [(VoiceKind, &str, &str); 5] = [
    (VoiceKind::Artist, "artists.json", "AMAZON.MusicGroup"),
    (VoiceKind::Album, "albums.json", "AMAZON.MusicAlbum"),
    (VoiceKind::Track, "tracks.json", "AMAZON.MusicRecording"),
    (
        VoiceKind::Playlist,
        "playlists.json",
        "AMAZON.MusicPlaylist",
    ),
    (VoiceKind::Genre, "genres.json", "AMAZON.Genre"),
];
const STATE: &str = "medley-catalog-state.jsonl";
/// How long an entity that left the library is still written as deleted.
const DELETED_FOR_MS: i64 = 30 * 24 * 3600 * 1000;
/// Entities Alexa takes in one catalog, unless Amazon raises it.
const ALEXA_LIMIT: usize = 500_000;

/// A locale the catalogs are for, as `language-COUNTRY` (`en-US`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Locale {
    pub country: String,
    pub language: String,
}

impl std::str::FromStr for Locale {
    type Err = String;

    fn from_str(s: &str) -> Result<Locale, String> {
        let refuse = || format!("'{s}' is not a locale such as en-US (a language, a country)");
        let (language, country) = s.split_once(['-', '_']).ok_or_else(refuse)?;
        let letters = |t: &str| t.len() == 2 && t.chars().all(|c| c.is_ascii_alphabetic());
        if !letters(language) || !letters(country) {
            return Err(refuse());
        }
        Ok(Locale {
            country: country.to_ascii_uppercase(),
            language: language.to_ascii_lowercase(),
        })
    }
}

/// What one catalog file holds.
#[derive(Debug, Default)]
pub struct Written {
    pub file: PathBuf,
    pub kind: &'static str,
    pub entities: usize,
    pub new: usize,
    pub changed: usize,
    pub deleted: usize,
}

/// What the folder remembers of one exported entity.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Remembered {
    kind: String,
    id: String,
    /// Of the entity as written, without its lastUpdatedTime.
    hash: String,
    updated_ms: i64,
    /// When it left the library; 0 while it is in it.
    #[serde(default)]
    deleted_ms: i64,
}

#[derive(Serialize)]
struct Name<'a> {
    language: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct Reference<'a> {
    id: &'a str,
    names: Vec<Name<'a>>,
}

#[derive(Serialize)]
struct Popularity {
    default: u8,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entity<'a> {
    id: &'a str,
    names: Vec<Name<'a>>,
    popularity: Popularity,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_updated_time: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    artists: Vec<Reference<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    albums: Vec<Reference<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Deleted<'a> {
    id: &'a str,
    last_updated_time: String,
    deleted: bool,
}

fn kind_name(kind: VoiceKind) -> &'static str {
    match kind {
        VoiceKind::Artist => "artist",
        VoiceKind::Album => "album",
        VoiceKind::Track => "track",
        VoiceKind::Playlist => "playlist",
        VoiceKind::Genre => "genre",
    }
}

/// The name in every language of the catalogs, as people say it (no "[Explicit]").
fn names<'a>(languages: &[&'a str], value: &'a str) -> Vec<Name<'a>> {
    let value = spoken_title(value);
    languages
        .iter()
        .map(|language| Name { language, value })
        .collect()
}

fn entity<'a>(e: &'a VoiceEntry, languages: &[&'a str]) -> Entity<'a> {
    let reference = |id: &'a str, name: &'a str| Reference {
        id,
        names: names(languages, name),
    };
    Entity {
        id: &e.id,
        names: names(languages, &e.name),
        popularity: Popularity {
            default: popularity(e.plays),
        },
        last_updated_time: None,
        artists: e
            .artists
            .iter()
            .map(|a| reference(&a.id, &a.name))
            .collect(),
        albums: e.album.iter().map(|a| reference(&a.id, &a.title)).collect(),
    }
}

fn hash(entity: &Entity) -> anyhow::Result<String> {
    let digest = Sha256::digest(serde_json::to_vec(entity)?);
    Ok(digest[..12].iter().map(|b| format!("{b:02x}")).collect())
}

/// What the folder remembers, by kind and id; nothing for a folder never exported to.
fn remembered(dir: &Path) -> anyhow::Result<HashMap<String, HashMap<String, Remembered>>> {
    let path = dir.join(STATE);
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let mut out: HashMap<String, HashMap<String, Remembered>> = HashMap::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        let r: Remembered = serde_json::from_str(&line).with_context(|| {
            format!(
                "{} line {} is not what medley wrote; remove the file to export afresh",
                path.display(),
                i + 1
            )
        })?;
        out.entry(r.kind.clone())
            .or_default()
            .insert(r.id.clone(), r);
    }
    Ok(out)
}

/// A file written beside its final name and moved there once complete, so that a failed
/// export leaves the one before intact.
struct Pending {
    tmp: PathBuf,
    path: PathBuf,
    out: BufWriter<File>,
}

impl Pending {
    fn create(path: PathBuf) -> anyhow::Result<Pending> {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let tmp = path.with_file_name(format!(".{name}.tmp"));
        let file = File::create(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
        Ok(Pending {
            tmp,
            path,
            out: BufWriter::new(file),
        })
    }

    fn finish(self) -> anyhow::Result<()> {
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&self.tmp, &self.path)
            .with_context(|| format!("moving {} into place", self.path.display()))
    }
}

/// Writes every catalog into `dir` (created if missing) as of `now_ms`.
pub async fn write(
    m: &Medley,
    dir: &Path,
    locales: &[Locale],
    now_ms: i64,
) -> anyhow::Result<Vec<Written>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut before = remembered(dir)?;
    let mut languages: Vec<&str> = Vec::new();
    for l in locales {
        if !languages.contains(&l.language.as_str()) {
            languages.push(&l.language);
        }
    }
    let mut state = Pending::create(dir.join(STATE))?;
    let mut files = Vec::new();
    let mut written = Vec::new();
    for (kind, file, catalog_type) in CATALOGS {
        let mut w = Written {
            file: dir.join(file),
            kind: catalog_type,
            ..Written::default()
        };
        let mut out = Pending::create(w.file.clone())?;
        let catalog = Catalog {
            kind,
            catalog_type,
            locales,
            languages: &languages,
            now_ms,
        };
        let before = before.remove(kind_name(kind)).unwrap_or_default();
        catalog
            .write(m, before, &mut out.out, &mut state, &mut w)
            .await?;
        if w.entities > ALEXA_LIMIT {
            eprintln!(
                "medley: {} has {} entities; Alexa takes {ALEXA_LIMIT} in one catalog unless Amazon raises the limit",
                w.file.display(),
                w.entities
            );
        }
        files.push(out);
        written.push(w);
    }
    for f in files {
        f.finish()?;
    }
    state.finish()?;
    Ok(written)
}

/// One catalog file being written.
struct Catalog<'a> {
    kind: VoiceKind,
    catalog_type: &'static str,
    locales: &'a [Locale],
    languages: &'a [&'a str],
    now_ms: i64,
}

impl Catalog<'_> {
    /// Writes the library's entities of this kind, then those that `before` (what the last
    /// export wrote) has and the library no longer does, counting them in `w` and remembering
    /// each in `state`.
    async fn write(
        &self,
        m: &Medley,
        mut before: HashMap<String, Remembered>,
        out: &mut BufWriter<File>,
        state: &mut Pending,
        w: &mut Written,
    ) -> anyhow::Result<()> {
        write!(
            out,
            "{{\"type\":{},\"version\":2.0,\"locales\":{},\"entities\":[",
            serde_json::to_string(self.catalog_type)?,
            serde_json::to_string(self.locales)?
        )?;
        let mut first = true;
        let mut next = |out: &mut BufWriter<File>| -> std::io::Result<()> {
            if !std::mem::take(&mut first) {
                out.write_all(b",")?;
            }
            out.write_all(b"\n")
        };
        let mut pages = VoicePages::new(self.kind);
        loop {
            let page = pages.next(m).await?;
            if page.is_empty() {
                break;
            }
            for e in page.iter().filter(|e| !e.name.trim().is_empty()) {
                let mut entity = entity(e, self.languages);
                let hash = hash(&entity)?;
                let updated_ms = match before.remove(&e.id) {
                    Some(r) if r.hash == hash && r.deleted_ms == 0 => r.updated_ms,
                    Some(_) => {
                        w.changed += 1;
                        self.now_ms
                    }
                    None => {
                        w.new += 1;
                        self.now_ms
                    }
                };
                entity.last_updated_time = Some(iso8601_ms(updated_ms));
                next(out)?;
                serde_json::to_writer(&mut *out, &entity)?;
                w.entities += 1;
                let r = Remembered {
                    kind: kind_name(self.kind).into(),
                    id: e.id.clone(),
                    hash,
                    updated_ms,
                    deleted_ms: 0,
                };
                remember(state, r)?;
            }
        }
        let mut gone: Vec<Remembered> = before.into_values().collect();
        gone.sort_by(|a, b| a.id.cmp(&b.id));
        for mut r in gone {
            if r.deleted_ms == 0 {
                r.deleted_ms = self.now_ms;
            }
            if self.now_ms - r.deleted_ms >= DELETED_FOR_MS {
                continue;
            }
            next(out)?;
            let deleted = Deleted {
                id: &r.id,
                last_updated_time: iso8601_ms(r.deleted_ms),
                deleted: true,
            };
            serde_json::to_writer(&mut *out, &deleted)?;
            w.deleted += 1;
            w.entities += 1;
            remember(state, r)?;
        }
        out.write_all(b"\n]}\n")?;
        Ok(())
    }
}

fn remember(state: &mut Pending, r: Remembered) -> anyhow::Result<()> {
    serde_json::to_writer(&mut state.out, &r)?;
    state.out.write_all(b"\n")?;
    Ok(())
}

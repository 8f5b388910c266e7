//! The encodings Medley makes itself, by ffmpeg into a cache folder: the renditions of
//! progressive URLs (Opus, 16-bit FLAC, MP3) and the DASH representations (Opus and FLAC in
//! fragmented MP4, one fragment per segment). One encode runs per file and encoding however
//! many players ask; while it runs they read the growing file, and once it is done it is an
//! ordinary file (Range requests and all). The cache keeps the most recently used encodings
//! within its size; a changed source file has a new key, so it is never served stale.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use medley_core::audio::{Rendition, MP3_KBPS, OPUS_KBPS};
use medley_core::dash::{Representation, SEGMENT_SECONDS};
use sha2::{Digest, Sha256};
use tokio::sync::{watch, Mutex, OnceCell, Semaphore};

/// How long one encode may take before it is abandoned.
const ENCODE_TIMEOUT: Duration = Duration::from_secs(600);
/// How much lower than the server's an encode's CPU priority is.
const ENCODE_NICENESS: i32 = 10;

/// The outcome of an encode: the finished file, or why there is none.
pub type Outcome = Option<Result<PathBuf, String>>;

pub struct Transcoder {
    /// The ffmpeg program; empty turns transcoding off.
    program: String,
    dir: PathBuf,
    cap_bytes: u64,
    /// The encoders the program has of those Medley uses, asked on first use.
    encoders: OnceCell<Vec<&'static str>>,
    /// Encodes in progress, by cache file name.
    running: Mutex<HashMap<String, Running>>,
    permits: Semaphore,
}

#[derive(Clone)]
struct Running {
    part: PathBuf,
    done: watch::Receiver<Outcome>,
}

/// What the transcoder makes of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// A rendition for a progressive URL.
    File(Rendition),
    /// A DASH representation of a track of this many seconds: padded or cut to exactly that,
    /// so that its segments are where the manifest says.
    Dash(Representation, u32),
}

impl Encoding {
    /// The ffmpeg encoder that makes it; `None` for the original.
    fn encoder(self) -> Option<&'static str> {
        Some(match self {
            Encoding::File(Rendition::Original) => return None,
            Encoding::File(Rendition::Opus) => "libopus",
            Encoding::File(Rendition::Flac16) => "flac",
            Encoding::File(Rendition::Mp3) => "libmp3lame",
            Encoding::Dash(r, _) if r.is_flac() => "flac",
            Encoding::Dash(..) => "libopus",
        })
    }

    /// Its cache file's extension.
    fn extension(self) -> &'static str {
        match self {
            Encoding::File(Rendition::Opus) => "opus",
            Encoding::File(Rendition::Mp3) => "mp3",
            Encoding::File(Rendition::Flac16) => "flac",
            // Never encoded, never cached.
            Encoding::File(Rendition::Original) => "original",
            Encoding::Dash(..) => "mp4",
        }
    }

    /// Its part of a cache file's name.
    fn tag(self) -> String {
        match self {
            Encoding::File(r) => r.as_str().to_string(),
            Encoding::Dash(r, seconds) => format!("{}-{seconds}s", r.id()),
        }
    }
}

/// The encoders of the recipes.
const ENCODERS: [&str; 3] = ["libopus", "flac", "libmp3lame"];

/// An encoding to serve.
pub enum Transcoded {
    /// Finished, in the cache.
    Ready(PathBuf),
    /// Being written: `file` reads what is there so far; `done` says when it is complete.
    Growing {
        file: std::fs::File,
        done: watch::Receiver<Outcome>,
    },
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

/// ffmpeg's output options (besides the encoder) for an encoding of a source at `source_rate`
/// Hz; `None` for the original.
fn recipe(e: Encoding, source_rate: u32) -> Option<Vec<String>> {
    match e {
        Encoding::File(r) => file_recipe(r, source_rate),
        Encoding::Dash(r, seconds) => Some(dash_recipe(r, seconds, source_rate)),
    }
}

/// 16-bit samples at `rate`, dithered.
fn to_16_bits(rate: u32) -> String {
    format!("aresample=out_sample_rate={rate}:out_sample_fmt=s16:dither_method=triangular")
}

fn file_recipe(r: Rendition, source_rate: u32) -> Option<Vec<String>> {
    let rate = Rendition::output_rate(source_rate);
    Some(match r {
        Rendition::Original => return None,
        Rendition::Opus => strings(&["-b:a", &format!("{OPUS_KBPS}k"), "-f", "ogg"]),
        Rendition::Flac16 => strings(&["-af", &to_16_bits(rate), "-f", "flac"]),
        Rendition::Mp3 => strings(&[
            "-ar",
            &rate.to_string(),
            "-b:a",
            &format!("{MP3_KBPS}k"),
            "-f",
            "mp3",
        ]),
    })
}

/// A representation as fragmented MP4 with a fragment every `SEGMENT_SECONDS` (FLAC in MP4
/// is still "experimental" to Debian's ffmpeg 5.1, hence `-strict -2`).
fn dash_recipe(r: Representation, seconds: u32, source_rate: u32) -> Vec<String> {
    let pad = format!("apad=whole_dur={seconds}");
    let mut args = Vec::new();
    match r.opus_kbps() {
        Some(kbps) => {
            // Stereo always: libopus takes at most 256 kbps a channel, so a mono file's
            // 320 kbps is only to be had as two. 48 kHz always: browsers refuse an Opus
            // sample entry at another rate (libopus also takes 8 to 24 kHz).
            args.extend(strings(&["-af", &pad, "-ac", "2", "-ar", "48000"]));
            args.extend(strings(&["-b:a", &format!("{kbps}k")]));
        }
        None => {
            let filters = match r {
                Representation::Flac16 => {
                    format!("{},{pad}", to_16_bits(r.sample_rate(source_rate)))
                }
                _ => pad,
            };
            let frame = r.flac_frame(source_rate).unwrap_or(4096).to_string();
            args.extend(strings(&[
                "-af",
                &filters,
                "-frame_size",
                &frame,
                "-strict",
                "-2",
            ]));
        }
    }
    let fragment_us = (u64::from(SEGMENT_SECONDS) * 1_000_000).to_string();
    args.extend(strings(&[
        "-t",
        &seconds.to_string(),
        "-f",
        "mp4",
        "-movflags",
        "empty_moov+default_base_moof",
        "-frag_duration",
        &fragment_us,
    ]));
    args
}

/// The cache file name of an encoding of `source`: changes whenever the file does.
fn cache_name(source: &Path, e: Encoding) -> std::io::Result<String> {
    let meta = std::fs::metadata(source)?;
    let modified = meta
        .modified()?
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let key = format!("{}\n{}\n{modified}", source.display(), meta.len());
    Ok(format!(
        "{}.{}.{}",
        digest_name(&key),
        e.tag(),
        e.extension()
    ))
}

/// A cache file's name for `key`: 24 hex digits of its SHA-256.
fn digest_name(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

/// Marks a finished cache file recently used (for eviction); false when there is none.
fn touch(path: &Path) -> bool {
    match std::fs::File::options().write(true).open(path) {
        Ok(f) => {
            let _ = f.set_modified(SystemTime::now());
            true
        }
        Err(_) => false,
    }
}

impl Transcoder {
    pub fn new(program: &str, dir: PathBuf, cap_mb: u64) -> Transcoder {
        let parallel = std::thread::available_parallelism().map_or(2, |n| n.get());
        Transcoder {
            program: program.to_string(),
            dir,
            cap_bytes: cap_mb.saturating_mul(1 << 20),
            encoders: OnceCell::new(),
            running: Mutex::new(HashMap::new()),
            permits: Semaphore::new(parallel),
        }
    }

    /// Whether this encoding can be made here (ffmpeg is there, with its encoder). Asked for
    /// every entity a Playback answer lists, so it builds no recipe.
    pub async fn can(&self, e: Encoding) -> bool {
        match e.encoder() {
            None => true,
            Some(name) => self.encoders().await.contains(&name),
        }
    }

    async fn encoders(&self) -> &[&'static str] {
        self.encoders
            .get_or_init(|| async {
                if self.program.is_empty() {
                    return Vec::new();
                }
                let out = tokio::process::Command::new(&self.program)
                    .args(["-hide_banner", "-encoders"])
                    .stdin(std::process::Stdio::null())
                    .output()
                    .await;
                let listing = match out {
                    Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
                    other => {
                        tracing::warn!(
                            program = %self.program,
                            error = ?other.err(),
                            "ffmpeg is not available: every quality serves the original file"
                        );
                        return Vec::new();
                    }
                };
                let has = |name: &str| {
                    listing
                        .lines()
                        .any(|l| l.split_whitespace().nth(1) == Some(name))
                };
                let can: Vec<&'static str> = ENCODERS.into_iter().filter(|e| has(e)).collect();
                tracing::info!(encoders = ?can, "transcoding with {}", self.program);
                can
            })
            .await
    }

    /// The placeholder audio of a track the catalog gives no file (its generated tune), kept
    /// in the cache like a rendition: written on first use, dropped when least recently used.
    pub async fn placeholder(&self, track_id: &str, seconds: u32) -> std::io::Result<PathBuf> {
        let hex = digest_name(&format!("placeholder\n{track_id}\n{seconds}"));
        let path = self.dir.join(format!("{hex}.placeholder.wav"));
        if touch(&path) {
            return Ok(path);
        }
        let (dir, id, done) = (self.dir.clone(), track_id.to_string(), path.clone());
        let written = tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir)?;
            // Written aside and renamed: a reader never sees half a file.
            let part = dir.join(format!(
                "{hex}.placeholder.part-{}",
                uuid::Uuid::new_v4().simple()
            ));
            std::fs::write(&part, crate::tunes::wav(&id, seconds))?;
            std::fs::rename(&part, &done)
        })
        .await
        .map_err(std::io::Error::other)?;
        written?;
        self.evict(&path);
        Ok(path)
    }

    /// The encoding `e` of the audio file `source` (at `source_rate` Hz): from the cache, or
    /// being encoded now.
    pub async fn get(
        self: &Arc<Self>,
        source: &Path,
        source_rate: u32,
        e: Encoding,
    ) -> std::io::Result<Transcoded> {
        let (Some(encoder), Some(args)) = (e.encoder(), recipe(e, source_rate)) else {
            return Err(std::io::Error::other("the original is not encoded"));
        };
        let name = cache_name(source, e)?;
        let done_path = self.dir.join(&name);
        let mut running = self.running.lock().await;
        if let Some(job) = running.get(&name) {
            // Gone only when the encode has just finished (renamed) or failed.
            if let Ok(file) = std::fs::File::open(&job.part) {
                return Ok(Transcoded::Growing {
                    file,
                    done: job.done.clone(),
                });
            }
        }
        if touch(&done_path) {
            return Ok(Transcoded::Ready(done_path));
        }
        std::fs::create_dir_all(&self.dir)?;
        let part = self
            .dir
            .join(format!("{name}.part-{}", uuid::Uuid::new_v4().simple()));
        std::fs::File::create(&part)?;
        let file = std::fs::File::open(&part)?;
        let (tx, done) = watch::channel(None);
        running.insert(
            name.clone(),
            Running {
                part: part.clone(),
                done: done.clone(),
            },
        );
        drop(running);
        let source = source.to_path_buf();
        let this = Arc::clone(self);
        tokio::spawn(async move {
            let outcome = this.encode(&source, &part, encoder, &args).await;
            let outcome = match outcome {
                Ok(()) => std::fs::rename(&part, &done_path)
                    .map(|()| done_path.clone())
                    .map_err(|e| e.to_string()),
                Err(why) => Err(why),
            };
            if let Err(why) = &outcome {
                tracing::warn!(source = %source.display(), encoding = e.tag(), "transcoding failed: {why}");
                let _ = std::fs::remove_file(&part);
            }
            this.evict(&done_path);
            let mut running = this.running.lock().await;
            if running.get(&name).is_some_and(|j| j.part == part) {
                running.remove(&name);
            }
            drop(running);
            let _ = tx.send(Some(outcome));
        });
        Ok(Transcoded::Growing { file, done })
    }

    async fn encode(
        &self,
        source: &Path,
        part: &Path,
        encoder: &str,
        args: &[String],
    ) -> Result<(), String> {
        let _permit = self.permits.acquire().await.map_err(|e| e.to_string())?;
        let mut command = tokio::process::Command::new(&self.program);
        command
            .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i"])
            .arg(source)
            .args(["-map", "0:a:0", "-vn", "-c:a", encoder])
            .args(args)
            .arg(part)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        // Encodes run far ahead of playback; requests come first when the cores are busy.
        // SAFETY: between fork and exec the child only calls nice(2), which is
        // async-signal-safe and touches nothing of the parent's.
        unsafe {
            command.pre_exec(|| {
                libc::nice(ENCODE_NICENESS);
                Ok(())
            });
        }
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.program))?;
        let mut stderr = child.stderr.take();
        let status = match tokio::time::timeout(ENCODE_TIMEOUT, child.wait()).await {
            Ok(s) => s.map_err(|e| e.to_string())?,
            Err(_) => return Err(format!("gave up after {} s", ENCODE_TIMEOUT.as_secs())),
        };
        if status.success() {
            return Ok(());
        }
        let mut message = String::new();
        if let Some(err) = stderr.as_mut() {
            use tokio::io::AsyncReadExt;
            let _ = err.read_to_string(&mut message).await;
        }
        Err(format!("ffmpeg: {status}: {}", message.trim()))
    }

    /// The size of a finished encoding of `source` in the cache, when there is one.
    pub fn finished_len(&self, source: &Path, e: Encoding) -> Option<u64> {
        e.encoder()?;
        let name = cache_name(source, e).ok()?;
        std::fs::metadata(self.dir.join(name)).ok().map(|m| m.len())
    }

    /// Encodes under way or waiting for a permit.
    pub async fn running(&self) -> usize {
        self.running.lock().await.len()
    }

    /// Bytes of finished files in the cache.
    pub async fn cache_bytes(&self) -> u64 {
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                return 0;
            };
            entries
                .flatten()
                .filter(|e| !e.file_name().to_string_lossy().contains(".part-"))
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .await
        .unwrap_or(0)
    }

    /// Drops the least recently used finished renditions beyond the cache's size (never
    /// `newest`, the one just made), and what is left of encodes that cannot still be running
    /// (a process that died mid-encode).
    fn evict(&self, newest: &Path) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let now = SystemTime::now();
        let mut files: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
        for e in entries.flatten() {
            let Ok(meta) = e.metadata() else { continue };
            let Ok(modified) = meta.modified() else {
                continue;
            };
            if e.file_name().to_string_lossy().contains(".part-") {
                let age = now.duration_since(modified).unwrap_or_default();
                if age > 2 * ENCODE_TIMEOUT {
                    let _ = std::fs::remove_file(e.path());
                }
            } else if e.path() != newest {
                files.push((modified, meta.len(), e.path()));
            }
        }
        let newest_len = std::fs::metadata(newest).map_or(0, |m| m.len());
        let mut total: u64 = newest_len + files.iter().map(|f| f.1).sum::<u64>();
        files.sort();
        for (_, len, path) in files {
            if total <= self.cap_bytes {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
    }
}

//! Configuration: every setting of Medley, declared once in `settings!` below with its default,
//! its MEDLEY_* environment variable, its flag and its documentation. Each setting comes from,
//! in rising priority: its default, the configuration file (`--config` / MEDLEY_CONFIG), the
//! environment, the flag. `docs/medley.example.toml` is generated from the same declaration.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::parser::ValueSource;
use clap::{Arg, ArgMatches};
use medley_service::Settings;
use serde::{Deserialize, Serialize};

/// A setting's type: parsed the same way from a flag and from the environment.
pub trait SettingValue: Sized {
    fn parse(raw: &str) -> Result<Self, String>;
}

macro_rules! from_str_setting {
    ($($t:ty),*) => { $(
        impl SettingValue for $t {
            fn parse(raw: &str) -> Result<Self, String> {
                raw.trim().parse().map_err(|e| format!("'{raw}': {e}"))
            }
        }
    )* };
}
from_str_setting!(i64, u32, u64, usize);

impl SettingValue for String {
    fn parse(raw: &str) -> Result<Self, String> {
        Ok(raw.to_string())
    }
}

impl SettingValue for PathBuf {
    fn parse(raw: &str) -> Result<Self, String> {
        Ok(PathBuf::from(raw))
    }
}

/// A comma-separated list: `http://a.example,http://b.example`.
impl SettingValue for Vec<String> {
    fn parse(raw: &str) -> Result<Self, String> {
        Ok(raw
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect())
    }
}

/// Empty means unset.
impl SettingValue for Option<String> {
    fn parse(raw: &str) -> Result<Self, String> {
        Ok(Some(raw.trim()).filter(|s| !s.is_empty()).map(String::from))
    }
}

/// One setting as the command line and the example file describe it.
pub struct SettingInfo {
    pub key: &'static str,
    pub env: &'static str,
    pub flag: &'static str,
    pub doc: &'static [&'static str],
    /// For a setting without a default: what the example file shows, commented out.
    #[cfg_attr(not(test), allow(dead_code))]
    pub example: Option<&'static str>,
}

macro_rules! settings {
    ($( $(#[doc = $doc:literal])* $key:ident: $ty:ty = $default:expr,
        env $env:literal, flag $flag:literal $(, example $example:literal)?; )*) => {
        /// Every setting of Medley, resolved.
        #[derive(Clone, Debug, PartialEq, Serialize)]
        pub struct Config {
            $( $(#[doc = $doc])* pub $key: $ty, )*
        }

        impl Default for Config {
            fn default() -> Self {
                Config { $( $key: $default, )* }
            }
        }

        /// The configuration file (TOML): every key optional, unknown keys refused.
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct FileConfig {
            $( $key: Option<$ty>, )*
        }

        pub const SETTINGS: &[SettingInfo] = &[ $( SettingInfo {
            key: stringify!($key),
            env: $env,
            flag: $flag,
            doc: &[$($doc),*],
            example: [$(Some($example),)? None][0],
        } ),* ];

        impl Config {
            fn resolve(
                matches: &ArgMatches,
                env: &dyn Fn(&str) -> Option<String>,
                mut file: FileConfig,
            ) -> anyhow::Result<Config> {
                let mut config = Config::default();
                $(
                    if let Some(raw) = given_flag(matches, stringify!($key)) {
                        config.$key = <$ty as SettingValue>::parse(&raw)
                            .map_err(|e| anyhow::anyhow!("--{}: {e}", $flag))?;
                    } else if let Some(raw) = env($env) {
                        config.$key = <$ty as SettingValue>::parse(&raw)
                            .map_err(|e| anyhow::anyhow!("{}: {e}", $env))?;
                    } else if let Some(v) = file.$key.take() {
                        config.$key = v;
                    }
                )*
                Ok(config)
            }
        }
    };
}

settings! {
    /// Folder of Medley's data: the SQLite database (by default), transcoded audio, the demo's songs.
    data_dir: PathBuf = "./medley-data".into(), env "MEDLEY_DATA_DIR", flag "data-dir";
    /// Put the database elsewhere: `sqlite:PATH`, or a PostgreSQL database
    /// (`postgres://user@host:5432/medley`), which several Medley processes can share.
    database_url: Option<String> = None, env "MEDLEY_DATABASE_URL", flag "database-url",
        example "\"sqlite:/var/lib/medley/medley.db\"";
    /// Address `medley serve` listens on.
    bind: String = "127.0.0.1:8080".into(), env "MEDLEY_BIND", flag "bind";
    /// Base of the URLs Medley puts in responses (default: http:// + bind). `medley lambda`
    /// needs it: the Medley that serves the media.
    public_url: Option<String> = None, env "MEDLEY_PUBLIC_URL", flag "public-url",
        example "\"https://music.example.org\"";
    /// Log filter (tracing's EnvFilter syntax), e.g. `info` or `medley=debug`.
    log: String = "info".into(), env "MEDLEY_LOG", flag "log";
    /// How long token and catalog reads stay cached, in milliseconds.
    cache_ttl_ms: i64 = service().cache_ttl_ms, env "MEDLEY_CACHE_TTL_MS", flag "cache-ttl-ms";
    /// Seconds a device's stream stays live after its track should have ended without a stop
    /// event.
    stream_grace_secs: i64 = service().stream_grace_secs, env "MEDLEY_STREAM_GRACE_SECS",
        flag "stream-grace-secs";
    /// Days a playback session can be restored after its last activity.
    restore_days: i64 = service().restore_days, env "MEDLEY_RESTORE_DAYS", flag "restore-days";
    /// Requests per second one access token may make (bursts of twice that); beyond it
    /// requests get 429 THROTTLED with Retry-After. 0 turns rate limiting off.
    rate_limit_per_sec: u32 = service().rate_limit_per_sec, env "MEDLEY_RATE_LIMIT_PER_SEC",
        flag "rate-limit-per-sec";
    /// How long a media URL of the Web API (playbackInformation.url) stays valid, in
    /// seconds. After it the URL answers 403.
    stream_uri_ttl_secs: i64 = service().stream_uri_ttl_secs, env "MEDLEY_STREAM_URI_TTL_SECS",
        flag "stream-uri-ttl-secs";
    /// How long a stream URI handed to Alexa stays valid (its validUntil), in seconds: hours,
    /// since a speaker re-fetches the same URI mid-track (a move to another room) without
    /// asking again. GetItem hands out a fresh one.
    alexa_stream_ttl_secs: i64 = service().alexa_stream_ttl_secs, env "MEDLEY_ALEXA_STREAM_TTL_SECS",
        flag "alexa-stream-ttl-secs";
    /// The Alexa skill's id (amzn1.ask.skill.…, the developer console's Endpoint page). When
    /// set, POST /alexa answers only requests Alexa signed (SignatureCertChainUrl and
    /// Signature-256, checked against Amazon's certificate) and, where a request names a
    /// skill, only this one: set it for an HTTPS endpoint Alexa calls.
    alexa_skill_id: Option<String> = None, env "MEDLEY_ALEXA_SKILL_ID", flag "alexa-skill-id",
        example "\"amzn1.ask.skill.00000000-0000-0000-0000-000000000000\"";
    /// The ffmpeg program that encodes the lower qualities a tier or device calls for (Opus
    /// for STD_RES, 16-bit FLAC for HI_FI from high-resolution files, MP3 for Alexa
    /// speakers), found on PATH. Empty turns transcoding off: every quality then serves the
    /// original file, and playbackInformation.format says so.
    ffmpeg: String = service().ffmpeg.clone(), env "MEDLEY_FFMPEG", flag "ffmpeg";
    /// MiB of transcoded audio kept in DATA_DIR/transcoded; the least recently played go
    /// first.
    transcode_cache_mb: u64 = service().transcode_cache_mb, env "MEDLEY_TRANSCODE_CACHE_MB",
        flag "transcode-cache-mb";
    /// Seconds a connection has to send a whole request head once it is ready for one; slow
    /// headers and idle keep-alive connections are closed after it.
    header_timeout_secs: u64 = 20, env "MEDLEY_HEADER_TIMEOUT_SECS", flag "header-timeout-secs";
    /// Seconds a request body has to arrive whole; after it the request gets 408
    /// REQUEST_TIMEOUT.
    body_timeout_secs: u64 = service().body_timeout_secs, env "MEDLEY_BODY_TIMEOUT_SECS",
        flag "body-timeout-secs";
    /// Seconds an access token of the token endpoint (/auth/o2/token) lasts, from 10 to
    /// 86400; a client renews it with its refresh token before then.
    access_token_secs: i64 = service().access_token_secs, env "MEDLEY_ACCESS_TOKEN_SECS",
        flag "access-token-secs";
    /// Music folders `medley serve` scans at start and then watches: a file added, changed,
    /// moved or removed shows up within seconds. A folder that is missing, unreadable or
    /// empty (an unmounted disk) retires nothing. E.g. ["/srv/music", "/mnt/nas/music"]; in
    /// the environment and on the command line: a comma-separated list.
    library: Vec<String> = Vec::new(), env "MEDLEY_LIBRARY", flag "library";
    /// Minutes between full rescans of the music folders, for mounts that send no change
    /// notifications (NFS, SMB); 0 turns them off.
    rescan_minutes: u64 = 60, env "MEDLEY_RESCAN_MINUTES", flag "rescan-minutes";
    /// Addresses of reverse proxies (nginx, Caddy) whose X-Forwarded-For header is believed,
    /// e.g. ["127.0.0.1", "::1"] for one on this machine: sign-in failures are then counted
    /// per client rather than all against the proxy. In the environment and on the command
    /// line: a comma-separated list.
    trusted_proxies: Vec<String> = Vec::new(), env "MEDLEY_TRUSTED_PROXIES",
        flag "trusted-proxies";
    /// Connections `medley serve` holds at once; more are closed as soon as they are
    /// accepted.
    max_connections: usize = 1024, env "MEDLEY_MAX_CONNECTIONS", flag "max-connections";
    /// Origins whose web pages may call the API (CORS), e.g. ["http://localhost:3000"]; "*"
    /// allows any. Credentials travel in headers, never cookies. In the environment and on
    /// the command line: a comma-separated list.
    cors_origins: Vec<String> = service().cors_origins.clone(), env "MEDLEY_CORS_ORIGINS",
        flag "cors-origins";
}

/// The service layer's own defaults.
fn service() -> Settings {
    Settings::default()
}

fn given_flag(matches: &ArgMatches, id: &str) -> Option<String> {
    // A global flag given after the subcommand lands in the subcommand's matches.
    let mut m = matches;
    loop {
        if m.value_source(id) == Some(ValueSource::CommandLine) {
            return m.get_one::<String>(id).cloned();
        }
        m = m.subcommand()?.1;
    }
}

/// The command line's flags for every setting (global: before or after the subcommand).
pub fn flags() -> Vec<Arg> {
    SETTINGS
        .iter()
        .map(|s| {
            Arg::new(s.key)
                .long(s.flag)
                .global(true)
                .value_name("VALUE")
                .help_heading("Settings (also MEDLEY_* environment, or the --config file)")
                .help(format!("{} [env: {}]", s.doc.join("").trim(), s.env))
        })
        .collect()
}

impl Config {
    /// Reads the configuration file (if `--config` or MEDLEY_CONFIG names one), the
    /// environment and the flags.
    pub fn load(matches: &ArgMatches, config_file: Option<&Path>) -> anyhow::Result<Config> {
        let file = match config_file {
            Some(path) => read(path)?,
            None => FileConfig::default(),
        };
        let config = Config::resolve(matches, &|name| std::env::var(name).ok(), file)?;
        if !(10..=86_400).contains(&config.access_token_secs) {
            bail!("access-token-secs must be from 10 to 86400");
        }
        for p in &config.trusted_proxies {
            if p.parse::<std::net::IpAddr>().is_err() {
                bail!("trusted-proxies: '{p}' is not an IP address");
            }
        }
        Ok(config)
    }

    /// What the service layer runs with; `bound` is the address `serve` listens on, which
    /// differs from `bind` when that names port 0.
    pub fn service_settings(&self, files: &Path, bound: Option<SocketAddr>) -> Settings {
        let listening = bound.map_or_else(|| self.bind.clone(), |a| a.to_string());
        Settings {
            public_url: self
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{listening}")),
            cache_ttl_ms: self.cache_ttl_ms,
            stream_grace_secs: self.stream_grace_secs,
            restore_days: self.restore_days,
            rate_limit_per_sec: self.rate_limit_per_sec,
            stream_uri_ttl_secs: self.stream_uri_ttl_secs,
            alexa_stream_ttl_secs: self.alexa_stream_ttl_secs,
            alexa_skill_id: self.alexa_skill_id.clone().filter(|s| !s.trim().is_empty()),
            ffmpeg: self.ffmpeg.clone(),
            transcode_dir: files.join("transcoded"),
            transcode_cache_mb: self.transcode_cache_mb,
            body_timeout_secs: self.body_timeout_secs,
            cors_origins: self.cors_origins.clone(),
            access_token_secs: self.access_token_secs,
            library: self.library.iter().map(PathBuf::from).collect(),
            trusted_proxies: self
                .trusted_proxies
                .iter()
                .filter_map(|p| p.parse().ok())
                .collect(),
        }
    }

    /// Which store the settings name: the SQLite file (by default in the data dir), or a
    /// PostgreSQL database.
    pub fn database(&self) -> anyhow::Result<Database> {
        match self.database_url.as_deref() {
            None => Ok(Database::Sqlite(self.data_dir.join("medley.db"))),
            Some(url) => {
                if let Some(rest) = url
                    .strip_prefix("sqlite://")
                    .or_else(|| url.strip_prefix("sqlite:"))
                {
                    if rest.is_empty() {
                        bail!("database url '{url}' names no file");
                    }
                    Ok(Database::Sqlite(PathBuf::from(rest)))
                } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                    Ok(Database::Postgres(url.to_string()))
                } else {
                    bail!("unsupported database url '{url}': expected sqlite:PATH or postgres://…")
                }
            }
        }
    }

    /// Where the files Medley makes live (transcoded audio, the demo's songs): beside the
    /// SQLite file, or in the data dir when the database is elsewhere.
    pub fn files_dir(&self) -> anyhow::Result<PathBuf> {
        Ok(match self.database()? {
            Database::Sqlite(path) => path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from(".")),
            Database::Postgres(_) => self.data_dir.clone(),
        })
    }
}

/// The store the settings name.
#[derive(Clone, Debug, PartialEq)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

fn read(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the configuration file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("in the configuration file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Command;

    /// `docs/medley.example.toml`: every setting with its documentation and default.
    pub fn example_file() -> String {
        let defaults =
            toml::Table::try_from(Config::default()).expect("settings serialize to TOML");
        let mut out = String::from(
            "# Medley's configuration file: `medley --config medley.toml …` (or MEDLEY_CONFIG=medley.toml).\n\
             # Every key is optional; unknown keys are an error. Each setting comes from, in rising\n\
             # priority: its default (shown here), this file, its MEDLEY_* environment variable, its\n\
             # command-line flag. Generated from the settings Medley declares; do not edit by hand.\n",
        );
        for s in SETTINGS {
            out.push('\n');
            for line in s.doc {
                out.push_str(&format!("#{}\n", line.trim_end()));
            }
            out.push_str(&format!("# Environment: {}; flag: --{}.\n", s.env, s.flag));
            match (defaults.get(s.key), s.example) {
                (Some(v), _) => out.push_str(&format!("{} = {v}\n", s.key)),
                (None, Some(example)) => out.push_str(&format!("# {} = {example}\n", s.key)),
                (None, None) => unreachable!("a setting without a default has an example"),
            }
        }
        out
    }

    const EXAMPLE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/medley.example.toml"
    );

    fn matches(args: &[&str]) -> ArgMatches {
        Command::new("medley")
            .args(flags())
            .subcommand(Command::new("serve"))
            .try_get_matches_from(std::iter::once("medley").chain(args.iter().copied()))
            .unwrap()
    }

    /// Value `n` of the setting's type (none of them its default): as a flag or the environment
    /// spells it, and as the file does.
    fn sample(key: &str, n: i64) -> (String, String) {
        let default = toml::Table::try_from(Config::default()).unwrap();
        match default.get(key) {
            Some(toml::Value::Integer(d)) => ((d + n).to_string(), (d + n).to_string()),
            Some(toml::Value::Array(_)) => (
                format!("http://{n}.example,http://b.example"),
                format!(r#"["http://{n}.example", "http://b.example"]"#),
            ),
            _ => (
                format!("sqlite:/{n}/{key}"),
                format!("\"sqlite:/{n}/{key}\""),
            ),
        }
    }

    fn value_of(config: &Config, key: &str) -> Option<toml::Value> {
        toml::Table::try_from(config).unwrap().get(key).cloned()
    }

    #[test]
    fn the_example_file_is_generated_from_the_settings() {
        let generated = example_file();
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(EXAMPLE, &generated).unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(EXAMPLE).unwrap(),
            generated,
            "the settings changed: run with UPDATE_SNAPSHOTS=1"
        );
        let parsed: FileConfig = toml::from_str(&generated).unwrap();
        let from_file = Config::resolve(&matches(&[]), &|_| None, parsed).unwrap();
        assert_eq!(from_file, Config::default());
    }

    #[test]
    fn flags_beat_the_environment_which_beats_the_file_for_every_setting() {
        for s in SETTINGS {
            let file = |n| {
                let text = format!("{} = {}", s.key, sample(s.key, n).1);
                toml::from_str::<FileConfig>(&text).unwrap()
            };
            let none = |_: &str| None;
            let only = |n| {
                value_of(
                    &Config::resolve(&matches(&[]), &none, file(n)).unwrap(),
                    s.key,
                )
            };
            assert_ne!(only(1), value_of(&Config::default(), s.key), "{}", s.key);

            let env = |name: &str| (name == s.env).then(|| sample(s.key, 2).0);
            let from_env = Config::resolve(&matches(&[]), &env, file(1)).unwrap();
            assert_eq!(value_of(&from_env, s.key), only(2), "{}", s.env);

            let flag = format!("--{}={}", s.flag, sample(s.key, 3).0);
            for args in [vec![flag.as_str(), "serve"], vec!["serve", flag.as_str()]] {
                let from_flag = Config::resolve(&matches(&args), &env, file(1)).unwrap();
                assert_eq!(value_of(&from_flag, s.key), only(3), "{args:?}");
            }
        }
    }

    #[test]
    fn a_bad_value_names_where_it_came_from() {
        let err = Config::resolve(
            &matches(&[]),
            &|name| (name == "MEDLEY_MAX_CONNECTIONS").then(|| "lots".into()),
            FileConfig::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("MEDLEY_MAX_CONNECTIONS"), "{err}");
        let err = Config::resolve(
            &matches(&["--restore-days", "x"]),
            &|_| None,
            FileConfig::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("--restore-days"), "{err}");
    }

    #[test]
    fn an_empty_database_url_means_the_default_store() {
        let config = Config::resolve(
            &matches(&[]),
            &|name| (name == "MEDLEY_DATABASE_URL").then(String::new),
            FileConfig::default(),
        )
        .unwrap();
        assert_eq!(
            config.database().unwrap(),
            Database::Sqlite(PathBuf::from("./medley-data/medley.db"))
        );
    }
}

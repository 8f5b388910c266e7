//! Configuration. Each setting comes from, in rising priority: its default, the configuration
//! file (`--config` / MEDLEY_CONFIG), the MEDLEY_* environment, the command-line flags.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::parser::ValueSource;
use clap::ArgMatches;
use serde::Deserialize;

use crate::cli::{Cli, Command, StoreArgs};

/// The configuration file (TOML). Every key is optional; docs/medley.example.toml lists them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Folder of Medley's data (default `./medley-data`).
    pub data_dir: Option<PathBuf>,
    /// `sqlite:PATH` to put the database elsewhere.
    pub database_url: Option<String>,
    /// Address `serve` listens on (default `127.0.0.1:8080`).
    pub bind: Option<String>,
    /// Base of the URLs in responses (default `http://BIND`).
    pub public_url: Option<String>,
    /// Log filter, e.g. `info` or `medley=debug` (MEDLEY_LOG overrides it).
    pub log: Option<String>,
    /// How long token and catalog reads stay cached, in milliseconds (default 10000).
    pub cache_ttl_ms: Option<i64>,
    /// Seconds a stream stays live after its track should have ended (default 30).
    pub stream_grace_secs: Option<i64>,
    /// Days a session can be restored after its last activity (default 30).
    pub restore_days: Option<i64>,
    /// Requests per second one access token may make, bursts of twice that (default 1000;
    /// 0 turns rate limiting off).
    pub rate_limit_per_sec: Option<u32>,
    /// How long media URLs (and Alexa's stream URIs) stay valid, in seconds (default 900).
    pub stream_uri_ttl_secs: Option<i64>,
    /// The ffmpeg program that encodes lower qualities (default `ffmpeg`, found on PATH;
    /// MEDLEY_FFMPEG overrides it; empty turns transcoding off).
    pub ffmpeg: Option<String>,
    /// MiB of transcoded audio kept in `DATA_DIR/transcoded` (default 2048).
    pub transcode_cache_mb: Option<u64>,
    /// Seconds a connection has to send a whole request head, idle keep-alive connections
    /// included (default 20).
    pub header_timeout_secs: Option<u64>,
    /// Seconds a request body has to arrive whole (default 30).
    pub body_timeout_secs: Option<u64>,
    /// Connections `serve` holds at once (default 1024).
    pub max_connections: Option<usize>,
    /// Origins whose web pages may call the API, e.g. `["http://localhost:3000"]` (default
    /// `["*"]`: any).
    pub cors_origins: Option<Vec<String>>,
}

fn from_default(m: &ArgMatches, id: &str) -> bool {
    matches!(m.value_source(id), None | Some(ValueSource::DefaultValue))
}

/// Reads the configuration file, if one is named, and fills in what flags and environment left
/// at their defaults.
pub fn load(cli: &mut Cli, matches: &ArgMatches) -> anyhow::Result<FileConfig> {
    let Some(path) = cli.store.config.clone() else {
        return Ok(FileConfig::default());
    };
    let file = read(&path)?;
    if from_default(matches, "data_dir") {
        if let Some(d) = &file.data_dir {
            cli.store.data_dir = d.clone();
        }
    }
    if from_default(matches, "database_url") && file.database_url.is_some() {
        cli.store.database_url = file.database_url.clone();
    }
    if let (Command::Serve(s), Some(("serve", sm))) = (&mut cli.command, matches.subcommand()) {
        if from_default(sm, "bind") {
            if let Some(b) = &file.bind {
                s.bind = b.clone();
            }
        }
        if from_default(sm, "public_url") && file.public_url.is_some() {
            s.public_url = file.public_url.clone();
        }
    }
    Ok(file)
}

fn read(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the configuration file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("in the configuration file {}", path.display()))
}

pub fn sqlite_path(args: &StoreArgs) -> anyhow::Result<PathBuf> {
    match args
        .database_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        None => Ok(args.data_dir.join("medley.db")),
        Some(url) => {
            if let Some(rest) = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
            {
                if rest.is_empty() {
                    bail!("database url '{url}' names no file");
                }
                Ok(PathBuf::from(rest))
            } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                bail!("the PostgreSQL store is not available yet; use the default SQLite store")
            } else {
                bail!("unsupported database url '{url}': expected sqlite:PATH")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_example_file_is_a_valid_configuration() {
        let example: super::FileConfig =
            toml::from_str(include_str!("../../../docs/medley.example.toml")).unwrap();
        assert_eq!(example.max_connections, Some(1024));
        assert_eq!(example.cors_origins, Some(vec!["*".to_string()]));
    }
}

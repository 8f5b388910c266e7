//! Where the store lives, from `--data-dir` / `--database-url` (or MEDLEY_DATA_DIR /
//! MEDLEY_DATABASE_URL).

use std::path::PathBuf;

use anyhow::bail;

use crate::cli::StoreArgs;

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

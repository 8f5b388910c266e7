//! Catalog import from a file (DESIGN.md 2.2).

use std::path::Path;

use medley_core::catalog::CatalogFile;
use medley_store::ImportSummary;

use crate::{Medley, ServiceError, ServiceResult};

fn parse(text: &str) -> ServiceResult<CatalogFile> {
    serde_json::from_str(text)
        .map_err(|e| ServiceError::BadRequest(format!("not a catalog file: {e}")))
}

impl Medley {
    /// Imports a catalog JSON file; folders of audio files are not supported yet. Track `file`
    /// paths are relative to the catalog file and are stored resolved against its folder.
    pub async fn import_catalog_path(&self, path: &Path) -> ServiceResult<ImportSummary> {
        if path.is_dir() {
            return Err(ServiceError::BadRequest(format!(
                "{} is a folder: importing audio folders is not supported yet; give a catalog JSON file",
                path.display()
            )));
        }
        let text = std::fs::read_to_string(path).map_err(|e| {
            ServiceError::BadRequest(format!("cannot read {}: {e}", path.display()))
        })?;
        let mut file = parse(&text)?;
        let base = std::path::absolute(path)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        for t in &mut file.tracks {
            if let Some(f) = &t.file {
                if Path::new(f).is_relative() {
                    t.file = Some(base.join(f).to_string_lossy().into_owned());
                }
            }
        }
        self.import_catalog(file).await
    }

    /// Imports catalog JSON as is (file paths are kept as written).
    pub async fn import_catalog_json(&self, text: &str) -> ServiceResult<ImportSummary> {
        self.import_catalog(parse(text)?).await
    }

    async fn import_catalog(&self, file: CatalogFile) -> ServiceResult<ImportSummary> {
        let summary = self.store.import_catalog(file).await?;
        self.caches.tracks.clear();
        self.caches.context_tracks.clear();
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::{Medley, Settings, SystemClock};

    #[tokio::test]
    async fn file_paths_resolve_against_the_catalog_folder() {
        let dir = std::env::temp_dir().join(format!("medley-import-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let store =
            Arc::new(medley_store_sqlite::SqliteStore::open(&dir.join("medley.db")).unwrap());
        let m = Medley::new(store, Arc::new(SystemClock), Settings::default());
        let catalog = dir.join("catalog.json");
        std::fs::write(
            &catalog,
            r#"{"tracks": [{"id": "T1", "title": "One", "duration": 5, "file": "audio/one.flac"},
                           {"id": "T2", "title": "Two", "duration": 5, "file": "/music/two.mp3"}]}"#,
        )
        .unwrap();
        m.import_catalog_path(&catalog).await.unwrap();
        let t = m.store.tracks(&["T1".into(), "T2".into()]).await.unwrap();
        assert_eq!(
            t[0].file.as_deref(),
            Some(dir.join("audio/one.flac").to_str().unwrap())
        );
        assert_eq!(t[1].file.as_deref(), Some("/music/two.mp3"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

//! Catalog import from a catalog file (docs/catalog-file.md) or a folder of audio files.

use std::path::Path;

use medley_core::catalog::CatalogFile;
use medley_store::ImportSummary;

use super::Library;
use crate::{ServiceError, ServiceResult};
use medley_media::tags::{scan, Scan};

fn parse(text: &str) -> ServiceResult<CatalogFile> {
    serde_json::from_str(text)
        .map_err(|e| ServiceError::BadRequest(format!("not a catalog file: {e}")))
}

impl Library {
    /// Scans a folder of audio files and imports what it found, retiring the tracks whose
    /// files are gone; `progress(done, total)` is called as files are read. A folder that
    /// is missing or unreadable, or holds no audio file while the library has tracks from it
    /// (an unmounted disk), is refused and retires nothing; so does a file that is there but
    /// unreadable, or a subfolder that cannot be listed, for the tracks it may hold.
    pub async fn import_folder(
        &self,
        path: &Path,
        progress: Box<dyn FnMut(usize, usize) + Send>,
    ) -> ServiceResult<(ImportSummary, Scan)> {
        let root = std::path::absolute(path).map_err(|e| {
            ServiceError::BadRequest(format!("cannot read {}: {e}", path.display()))
        })?;
        let mut progress = progress;
        let dir = root.clone();
        let mut found = tokio::task::spawn_blocking(move || {
            std::fs::read_dir(&dir)
                .map_err(|e| format!("cannot read {}: {e}; nothing is retired", dir.display()))?;
            Ok::<_, String>(scan(&dir, &mut *progress))
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("the scan failed: {e}")))?
        .map_err(ServiceError::BadRequest)?;
        let root_text = root.to_string_lossy();
        if found.files == 0 {
            let had = self.store.tracks_under(&root_text).await?;
            if had > 0 {
                return Err(ServiceError::BadRequest(format!(
                    "{} holds no audio file, but the library has {had} tracks from it: nothing \
                     is retired (is its disk mounted?)",
                    root.display()
                )));
            }
        }
        let catalog = std::mem::take(&mut found.catalog);
        let retire = found.complete.then_some(root_text.as_ref());
        let summary = self
            .store
            .import_scan(catalog, retire, &found.unreadable, &found.artwork)
            .await?;
        self.tracks.forget();
        Ok((summary, found))
    }

    /// Imports a catalog JSON file, or scans a folder of audio files. Track `file` paths in a
    /// catalog file are relative to it and are stored resolved against its folder.
    pub async fn import_catalog_path(&self, path: &Path) -> ServiceResult<ImportSummary> {
        if path.is_dir() {
            return Ok(self.import_folder(path, Box::new(|_, _| {})).await?.0);
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
                t.file = Some(base.join(f).to_string_lossy().into_owned());
            }
        }
        self.import_catalog(file).await
    }

    /// Imports catalog JSON as is (file paths are kept as written).
    pub async fn import_catalog_json(&self, text: &str) -> ServiceResult<ImportSummary> {
        self.import_catalog(parse(text)?).await
    }

    /// Imports catalog JSON, reading what each named audio file holds.
    pub(crate) async fn import_catalog(&self, file: CatalogFile) -> ServiceResult<ImportSummary> {
        let mut file = file;
        let file = tokio::task::spawn_blocking(move || {
            for t in &mut file.tracks {
                if let Some(f) = &t.file {
                    t.audio = medley_media::tags::probe(Path::new(f));
                }
            }
            file
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("reading the audio files failed: {e}")))?;
        let summary = self.store.import_catalog(file).await?;
        self.tracks.forget();
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
        m.library.import_catalog_path(&catalog).await.unwrap();
        let t = m.store.tracks(&["T1".into(), "T2".into()]).await.unwrap();
        assert_eq!(
            t[0].file.as_deref(),
            Some(dir.join("audio/one.flac").to_str().unwrap())
        );
        assert_eq!(t[1].file.as_deref(), Some("/music/two.mp3"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

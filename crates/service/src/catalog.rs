//! Catalog import from a file (DESIGN.md 2.2).

use std::path::Path;

use medley_core::catalog::CatalogFile;
use medley_store::ImportSummary;

use crate::{Medley, ServiceError, ServiceResult};

impl Medley {
    /// Imports a catalog JSON file; folders of audio files are not supported yet.
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
        self.import_catalog_json(&text).await
    }

    pub async fn import_catalog_json(&self, text: &str) -> ServiceResult<ImportSummary> {
        let file: CatalogFile = serde_json::from_str(text)
            .map_err(|e| ServiceError::BadRequest(format!("not a catalog file: {e}")))?;
        let summary = self.store.import_catalog(file).await?;
        self.caches.tracks.clear();
        self.caches.context_tracks.clear();
        Ok(summary)
    }
}

//! Cover art served by Medley (`/media/images/{id}`), at an Amazon image style on request;
//! resized images (a few dozen KB each) are cached.

use std::sync::Arc;

use medley_media::artwork::{picture, style_px, Picture, PictureError, OWN_ART};

use super::Media;
use crate::{ServiceError, ServiceResult};

impl Media {
    /// Artwork `id`, at `style` (one of `STYLES`) or as it is.
    pub async fn artwork_image(
        &self,
        id: &str,
        style: Option<&str>,
    ) -> ServiceResult<Arc<Picture>> {
        let size = match style {
            None => None,
            Some(s) => Some(style_px(s).ok_or_else(|| {
                ServiceError::BadRequest(format!(
                    "image style '{s}' is not one of SL500, SL160, SL110, SL75, SL30"
                ))
            })?),
        };
        let key = (id.to_string(), size);
        let now = self.now_ms();
        if let Some(p) = self.artwork.get(&key, now) {
            return Ok(p);
        }
        let own = id == OWN_ART;
        let art = if own {
            None
        } else {
            let found = self.store.artwork(id).await?;
            Some(found.ok_or_else(|| ServiceError::NotFound(format!("no artwork '{id}'")))?)
        };
        let picture = tokio::task::spawn_blocking(move || picture(art.as_ref(), size))
            .await
            .map_err(|e| ServiceError::Internal(format!("reading artwork failed: {e}")))?
            .map_err(|e| match e {
                PictureError::Unreadable(why) => ServiceError::NotFound(why),
                PictureError::Drawing(why) => {
                    ServiceError::Internal(format!("drawing Medley's picture: {why}"))
                }
            })?;
        let picture = Arc::new(picture);
        // Originals are files the OS caches already; resized ones (and the drawn one) cost
        // work to make.
        if size.is_some() || own {
            self.artwork.insert(key, picture.clone(), now);
        }
        Ok(picture)
    }
}

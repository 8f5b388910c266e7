//! Where each resource lives: the links answers carry, from the public URL.

use medley_service::Medley;

pub struct Urls<'a>(&'a str);

impl<'a> Urls<'a> {
    pub fn of(m: &'a Medley) -> Self {
        Urls(&m.settings.public_url)
    }

    /// `/v1/{collection}/{id}`: `collection` is `tracks`, `albums`, `users`, …
    pub fn item(&self, collection: &str, id: &str) -> String {
        format!("{}/v1/{collection}/{id}", self.0)
    }

    /// An image, as clients fetch it.
    pub fn image(&self, url: &str) -> String {
        medley_service::served_url(self.0, url)
    }
}

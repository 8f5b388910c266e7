//! The scope each route needs, taken from its declaration: the `bearer` security requirement of
//! its operation in `/openapi.json`, the document every route's declaration (typed or in the
//! route table) generates. The edge layer hands it to the request; the `Caller` extractor
//! checks it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use serde_json::Value;

/// The scope the matched route needs.
#[derive(Clone, Debug)]
pub struct RequiredScope(pub Arc<str>);

/// Route template → the scope of each of its methods.
#[derive(Default)]
pub struct Declared(HashMap<String, Vec<(Method, RequiredScope)>>);

impl Declared {
    /// The scopes of `doc`, the OpenAPI document (`openapi::document`).
    pub fn of(doc: &Value) -> Declared {
        let mut routes: HashMap<String, Vec<(Method, RequiredScope)>> = HashMap::new();
        let paths = doc["paths"].as_object().into_iter().flatten();
        for (path, item) in paths {
            for (method, op) in item.as_object().into_iter().flatten() {
                let (Ok(method), Some(scope)) = (
                    Method::from_bytes(method.to_ascii_uppercase().as_bytes()),
                    op["security"][0]["bearer"][0].as_str(),
                ) else {
                    continue;
                };
                routes
                    .entry(path.clone())
                    .or_default()
                    .push((method, RequiredScope(scope.into())));
            }
        }
        Declared(routes)
    }

    /// Hands the declared scope of the matched route to the request. HEAD is answered by the
    /// route's GET (without the body), so it needs what GET needs.
    pub fn hand_on(&self, req: &mut Request) {
        let method = match req.method() {
            &Method::HEAD => &Method::GET,
            m => m,
        };
        let scope = req
            .extensions()
            .get::<MatchedPath>()
            .and_then(|p| self.0.get(p.as_str()))
            .and_then(|ops| ops.iter().find(|(m, _)| m == method))
            .map(|(_, s)| s.clone());
        if let Some(scope) = scope {
            req.extensions_mut().insert(scope);
        }
    }
}

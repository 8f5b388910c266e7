//! The scope each route needs, taken from its declaration: the `bearer` security requirement of
//! its operation in `/openapi.json` (or the scope in the route table, for the routes declared
//! there). The edge layer hands it to the request; the `Caller` extractor checks it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use utoipa::openapi::OpenApi;

/// The scope the matched route needs.
#[derive(Clone, Debug)]
pub struct RequiredScope(pub Arc<str>);

/// Route template → the scope of each of its methods.
#[derive(Default)]
pub struct Declared(HashMap<String, Vec<(Method, RequiredScope)>>);

impl Declared {
    pub fn of(doc: &OpenApi) -> Declared {
        let mut routes: HashMap<String, Vec<(Method, RequiredScope)>> = HashMap::new();
        for (path, item) in &doc.paths.paths {
            let ops = [
                (Method::GET, &item.get),
                (Method::POST, &item.post),
                (Method::PUT, &item.put),
                (Method::PATCH, &item.patch),
                (Method::DELETE, &item.delete),
            ];
            for (method, op) in ops {
                let Some(op) = op else { continue };
                let scope = op.security.iter().flatten().find_map(|req| {
                    let v = serde_json::to_value(req).ok()?;
                    v.get("bearer")?.get(0)?.as_str().map(Arc::<str>::from)
                });
                if let Some(scope) = scope {
                    routes
                        .entry(path.clone())
                        .or_default()
                        .push((method, RequiredScope(scope)));
                }
            }
        }
        Declared(routes)
    }
}

impl Declared {
    /// Hands the declared scope of the matched route to the request.
    pub fn hand_on(&self, req: &mut Request) {
        let scope = req
            .extensions()
            .get::<MatchedPath>()
            .and_then(|p| self.0.get(p.as_str()))
            .and_then(|ops| ops.iter().find(|(m, _)| m == req.method()))
            .map(|(_, s)| s.clone());
        if let Some(scope) = scope {
            req.extensions_mut().insert(scope);
        }
    }
}

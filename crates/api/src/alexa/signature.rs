//! Whether a request to `/alexa` came from Alexa, checked as Amazon requires of an HTTPS
//! endpoint: `SignatureCertChainUrl` names Amazon's bucket, the chain there leads to a trusted
//! root, its signing certificate is valid now and for `echo-api.amazon.com`, and it signed the
//! body (`Signature-256`: RSA with SHA-256); a request that names a skill must name this one.
//! On when the skill id is configured (docs/alexa.md, "Request signatures").

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use base64::Engine;
use pki_types::pem::PemObject;
use pki_types::{CertificateDer, ServerName, TrustAnchor, UnixTime};
use serde::Deserialize;
use url::Url;

pub const CHAIN_URL_HEADER: &str = "signaturecertchainurl";
pub const SIGNATURE_HEADER: &str = "signature-256";
/// The name Alexa's signing certificate is for.
const SIGNER: &str = "echo-api.amazon.com";
/// Chains kept after they were fetched (Amazon uses one at a time).
const CACHED_CHAINS: usize = 8;
/// Largest chain file read.
const MAX_CHAIN_BYTES: usize = 64 * 1024;

/// Where certificate chains come from: Amazon's bucket in production, a local chain in tests.
pub trait CertChains: Send + Sync {
    fn fetch<'a>(
        &'a self,
        url: &'a Url,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<u8>, String>> + Send + 'a>>;
}

/// Chains fetched over HTTPS, at most 64 KiB in 5 seconds.
pub struct HttpsChains {
    client: reqwest::Client,
}

impl HttpsChains {
    pub fn new() -> HttpsChains {
        HttpsChains {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a TLS client with the built-in roots"),
        }
    }
}

impl Default for HttpsChains {
    fn default() -> Self {
        HttpsChains::new()
    }
}

impl CertChains for HttpsChains {
    fn fetch<'a>(
        &'a self,
        url: &'a Url,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<u8>, String>> + Send + 'a>> {
        Box::pin(async move {
            let mut res = self
                .client
                .get(url.clone())
                .send()
                .await
                .map_err(|e| format!("fetching the certificate chain: {e}"))?;
            if !res.status().is_success() {
                return Err(format!(
                    "the certificate chain URL answered {}",
                    res.status()
                ));
            }
            let mut body = Vec::new();
            while let Some(chunk) = res
                .chunk()
                .await
                .map_err(|e| format!("reading the certificate chain: {e}"))?
            {
                body.extend_from_slice(&chunk);
                if body.len() > MAX_CHAIN_BYTES {
                    return Err("the certificate chain is too large".into());
                }
            }
            Ok(body)
        })
    }
}

/// What a signing certificate must chain to, and where chains come from.
pub struct Trust {
    pub roots: Vec<TrustAnchor<'static>>,
    pub chains: Arc<dyn CertChains>,
}

impl Trust {
    /// The web's roots (Mozilla's list, as Amazon asks) and Amazon's bucket.
    pub fn amazon() -> Trust {
        Trust {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            chains: Arc::new(HttpsChains::new()),
        }
    }
}

/// Checks requests for one skill.
pub struct Verifier {
    skill_id: String,
    trust: Trust,
    chains: Mutex<HashMap<String, Arc<Vec<CertificateDer<'static>>>>>,
}

/// Amazon's rules for the chain URL: https, host s3.amazonaws.com, port 443 if any, a path
/// under `/echo.api/` once `..` segments are resolved (the path is case-sensitive).
pub fn chain_url(raw: &str) -> Result<Url, String> {
    let refuse = |why: &str| Err(format!("SignatureCertChainUrl '{raw}' {why}"));
    let Ok(url) = Url::parse(raw.trim()) else {
        return refuse("is not a URL");
    };
    if url.scheme() != "https" {
        return refuse("is not https");
    }
    if url.host_str() != Some("s3.amazonaws.com") {
        return refuse("is not on s3.amazonaws.com");
    }
    if url.port().is_some_and(|p| p != 443) {
        return refuse("is not on port 443");
    }
    if !url.path().starts_with("/echo.api/") {
        return refuse("is not under /echo.api/");
    }
    Ok(url)
}

/// The skill a request names, where the Alexa Skills Kit puts it (Music Skill API directives
/// document none).
fn skill_named(body: &[u8]) -> Option<String> {
    let named: SkillNamed = serde_json::from_slice(body).ok()?;
    let system = named.context.and_then(|c| c.system);
    [
        system.and_then(|s| s.application),
        named.session.and_then(|s| s.application),
    ]
    .into_iter()
    .flatten()
    .find_map(|a| a.application_id.as_str().map(String::from))
}

/// `context.System.application.applicationId` or `session.application.applicationId`.
#[derive(Deserialize)]
struct SkillNamed {
    context: Option<SkillContext>,
    session: Option<SkillSession>,
}

#[derive(Deserialize)]
struct SkillContext {
    #[serde(rename = "System")]
    system: Option<SkillSession>,
}

#[derive(Deserialize)]
struct SkillSession {
    application: Option<Application>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Application {
    #[serde(default)]
    application_id: super::directive::Text,
}

impl Verifier {
    pub fn new(skill_id: String, trust: Trust) -> Verifier {
        Verifier {
            skill_id,
            trust,
            chains: Mutex::new(HashMap::new()),
        }
    }

    /// `Ok` when Alexa signed this body for this skill; otherwise why not.
    pub async fn check(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: UnixTime,
    ) -> Result<(), String> {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| {
                    "the request is not signed: SignatureCertChainUrl and Signature-256 are required".to_string()
                })
        };
        let url = chain_url(header(CHAIN_URL_HEADER)?)?;
        let signature = base64::engine::general_purpose::STANDARD
            .decode(header(SIGNATURE_HEADER)?.trim())
            .map_err(|_| "Signature-256 is not base64".to_string())?;
        let chain = self.chain(&url).await?;
        let (leaf, intermediates) = chain
            .split_first()
            .ok_or("the certificate chain holds no certificate")?;
        let cert = webpki::EndEntityCert::try_from(leaf)
            .map_err(|e| format!("the signing certificate cannot be read: {e}"))?;
        cert.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &self.trust.roots,
            intermediates,
            now,
            webpki::KeyUsage::server_auth(),
            None,
            None,
        )
        .map_err(|e| format!("the signing certificate is not trusted now: {e}"))?;
        let signer = ServerName::try_from(SIGNER).expect("a DNS name");
        cert.verify_is_valid_for_subject_name(&signer)
            .map_err(|_| format!("the signing certificate is not for {SIGNER}"))?;
        cert.verify_signature(webpki::ring::RSA_PKCS1_2048_8192_SHA256, body, &signature)
            .map_err(|_| "Signature-256 does not match the body".to_string())?;
        match skill_named(body) {
            Some(skill) if skill != self.skill_id => {
                Err(format!("the request is for skill '{skill}', not this one"))
            }
            _ => Ok(()),
        }
    }

    async fn chain(&self, url: &Url) -> Result<Arc<Vec<CertificateDer<'static>>>, String> {
        if let Some(c) = self.chains.lock().unwrap().get(url.as_str()) {
            return Ok(c.clone());
        }
        let pem = self.trust.chains.fetch(url).await?;
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<_, _>>()
            .map_err(|_| "the certificate chain is not PEM".to_string())?;
        let chain = Arc::new(chain);
        let mut cached = self.chains.lock().unwrap();
        if cached.len() >= CACHED_CHAINS {
            cached.clear();
        }
        cached.insert(url.to_string(), chain.clone());
        Ok(chain)
    }
}

#[cfg(test)]
mod tests {
    use super::chain_url;

    #[test]
    fn only_amazons_bucket_holds_the_chain() {
        for ok in [
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
            "HTTPS://s3.AmazonAWS.com/echo.api/echo-api-cert.pem",
        ] {
            assert!(chain_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
            "https://notamazon.com/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
            "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
            "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/../other/echo-api-cert.pem",
            "https://s3.amazonaws.com.evil.example/echo.api/cert.pem",
            "not a url",
        ] {
            assert!(chain_url(bad).is_err(), "{bad}");
        }
    }
}

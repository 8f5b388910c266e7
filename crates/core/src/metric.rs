//! metricId: the JSON string each queue entity carries and events send back (Playback V1).

use serde_json::Value;
use uuid::Uuid;

use crate::policy::Tier;

/// Everything a metric id says about one entity.
pub struct MetricFields<'a> {
    pub track_id: &'a str,
    pub entity_ref: Uuid,
    pub session_id: Uuid,
    pub tier: Tier,
    /// The container the queue was started from (album, playlist, ...), or the track itself.
    pub source_id: &'a str,
    pub source_type: &'static str,
    /// Prime/Free: the id of the augmented-shuffle fulfilment.
    pub fulfillment_id: Uuid,
    pub customer_selected: bool,
    pub augmented: bool,
    pub stream_tech: &'static str,
}

/// Appends `v` as a JSON string.
fn push_json_str(out: &mut String, v: &str) {
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

impl MetricFields<'_> {
    /// The metric id string with the fields, in the order, of the spec's examples for the tier.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(700);
        let mut put = |k: &str, v: &str| {
            out.push(if out.is_empty() { '{' } else { ',' });
            push_json_str(&mut out, k);
            out.push(':');
            push_json_str(&mut out, v);
        };
        let session = self.session_id.to_string();
        put("entityId", self.track_id);
        put("playbackInstanceId", &self.entity_ref.to_string());
        put("metricsSpec", "TRACK");
        if self.tier.on_demand() {
            put("playQueueId", &session);
            put("resourceType", self.tier.resource_type());
            put("selectionSourceId", self.source_id);
            put("trackCount", "1");
            put("selectionSourceType", self.source_type);
            put("selectionSourceSessionId", &session);
        } else {
            let fulfillment = self.fulfillment_id.to_string();
            put("selectionSourceSubType", &fulfillment);
            put("fulfillmentSourceType", "AUGMENTED_SHUFFLE");
            put(
                "isCustomerSelectedEntity",
                if self.customer_selected {
                    "true"
                } else {
                    "false"
                },
            );
            put("selectionSourceId", self.source_id);
            put(
                "isAugmentedTrack",
                if self.augmented { "true" } else { "false" },
            );
            put("isOnDemandQueue", "false");
            put("fulfillmentSourceId", &fulfillment);
            put("resourceType", self.tier.resource_type());
            put("selectionSourceSessionId", &fulfillment);
            put("selectionSourceType", self.source_type);
            put("playQueueId", &session);
        }
        put("entityIdType", "ASIN");
        put("entityType", "TRACK");
        put("isExplicitLanguageFilterOn", "false");
        put("enqueueState", "audio");
        put("streamOrDRMTech", self.stream_tech);
        out.push('}');
        out
    }
}

/// What the server needs back from a metric id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricRef {
    pub session_id: Uuid,
    pub entity_ref: Uuid,
    pub track_id: String,
}

/// The three fields the server reads; the others are skipped without being kept.
#[derive(serde::Deserialize)]
struct RawMetric {
    #[serde(rename = "playQueueId")]
    play_queue_id: Option<Value>,
    #[serde(rename = "playbackInstanceId")]
    playback_instance_id: Option<Value>,
    #[serde(rename = "entityId")]
    entity_id: Option<Value>,
}

pub fn parse(metric_id: &str) -> Result<MetricRef, String> {
    let raw: RawMetric = serde_json::from_str(metric_id)
        .map_err(|_| "metricId is not the JSON string of a metric id".to_string())?;
    fn field<'a>(v: &'a Option<Value>, k: &str) -> Result<&'a str, String> {
        v.as_ref()
            .and_then(Value::as_str)
            .ok_or_else(|| format!("metricId has no string field '{k}'"))
    }
    let uuid = |v: &Option<Value>, k: &str| -> Result<Uuid, String> {
        Uuid::parse_str(field(v, k)?).map_err(|_| format!("metricId field '{k}' is not a UUID"))
    };
    Ok(MetricRef {
        session_id: uuid(&raw.play_queue_id, "playQueueId")?,
        entity_ref: uuid(&raw.playback_instance_id, "playbackInstanceId")?,
        track_id: field(&raw.entity_id, "entityId")?.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::Map;

    fn fields(tier: Tier) -> MetricFields<'static> {
        MetricFields {
            track_id: "B084KW75Z6",
            entity_ref: Uuid::nil(),
            session_id: Uuid::from_u128(1),
            tier,
            source_id: "B084KYMDXT",
            source_type: "ALBUM",
            fulfillment_id: Uuid::from_u128(2),
            customer_selected: false,
            augmented: false,
            stream_tech: "PROGRESSIVE",
        }
    }

    #[test]
    fn unlimited_keys_in_spec_order_and_parse_back() {
        let s = fields(Tier::Unlimited).render();
        let v: Map<String, Value> = serde_json::from_str(&s).unwrap();
        let keys: Vec<&str> = v.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "entityId",
                "playbackInstanceId",
                "metricsSpec",
                "playQueueId",
                "resourceType",
                "selectionSourceId",
                "trackCount",
                "selectionSourceType",
                "selectionSourceSessionId",
                "entityIdType",
                "entityType",
                "isExplicitLanguageFilterOn",
                "enqueueState",
                "streamOrDRMTech"
            ]
        );
        let r = parse(&s).unwrap();
        assert_eq!(r.session_id, Uuid::from_u128(1));
        assert_eq!(r.track_id, "B084KW75Z6");
    }

    #[test]
    fn prime_says_augmented_shuffle() {
        let s = fields(Tier::Prime).render();
        assert!(s.contains(r#""fulfillmentSourceType":"AUGMENTED_SHUFFLE""#));
        assert!(s.contains(r#""resourceType":"PRIME_MUSIC""#));
        assert!(parse(&s).is_ok());
    }

    #[test]
    fn escapes_strings() {
        let mut f = fields(Tier::Unlimited);
        f.source_id = "a\"b\\c";
        let v: Value = serde_json::from_str(&f.render()).unwrap();
        assert_eq!(v["selectionSourceId"], "a\"b\\c");
    }

    #[test]
    fn refuses_garbage() {
        assert!(parse("nope").is_err());
        assert!(parse("{}").unwrap_err().contains("playQueueId"));
        assert!(
            parse(r#"{"playQueueId":"x","playbackInstanceId":"y","entityId":"z"}"#)
                .unwrap_err()
                .contains("UUID")
        );
    }
}

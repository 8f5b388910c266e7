//! metricId: the JSON string each queue entity carries and events send back (spec/000).

use serde_json::{Map, Value};
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

impl MetricFields<'_> {
    /// The metric id string with the fields, in the order, of the spec's examples for the tier.
    pub fn render(&self) -> String {
        let mut m = Map::new();
        let mut put = |k: &str, v: String| {
            m.insert(k.to_string(), Value::String(v));
        };
        let session = self.session_id.to_string();
        put("entityId", self.track_id.to_string());
        put("playbackInstanceId", self.entity_ref.to_string());
        put("metricsSpec", "TRACK".into());
        if self.tier.on_demand() {
            put("playQueueId", session.clone());
            put("resourceType", self.tier.resource_type().into());
            put("selectionSourceId", self.source_id.to_string());
            put("trackCount", "1".into());
            put("selectionSourceType", self.source_type.into());
            put("selectionSourceSessionId", session);
        } else {
            let fulfillment = self.fulfillment_id.to_string();
            put("selectionSourceSubType", fulfillment.clone());
            put("fulfillmentSourceType", "AUGMENTED_SHUFFLE".into());
            put(
                "isCustomerSelectedEntity",
                self.customer_selected.to_string(),
            );
            put("selectionSourceId", self.source_id.to_string());
            put("isAugmentedTrack", self.augmented.to_string());
            put("isOnDemandQueue", "false".into());
            put("fulfillmentSourceId", fulfillment.clone());
            put("resourceType", self.tier.resource_type().into());
            put("selectionSourceSessionId", fulfillment);
            put("selectionSourceType", self.source_type.into());
            put("playQueueId", session);
        }
        put("entityIdType", "ASIN".into());
        put("entityType", "TRACK".into());
        put("isExplicitLanguageFilterOn", "false".into());
        put("enqueueState", "audio".into());
        put("streamOrDRMTech", self.stream_tech.into());
        Value::Object(m).to_string()
    }
}

/// What the server needs back from a metric id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricRef {
    pub session_id: Uuid,
    pub entity_ref: Uuid,
    pub track_id: String,
}

pub fn parse(metric_id: &str) -> Result<MetricRef, String> {
    let v: Value = serde_json::from_str(metric_id)
        .map_err(|_| "metricId is not the JSON string of a metric id".to_string())?;
    let field = |k: &str| -> Result<&str, String> {
        v.get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("metricId has no string field '{k}'"))
    };
    let uuid = |k: &str| -> Result<Uuid, String> {
        Uuid::parse_str(field(k)?).map_err(|_| format!("metricId field '{k}' is not a UUID"))
    };
    Ok(MetricRef {
        session_id: uuid("playQueueId")?,
        entity_ref: uuid("playbackInstanceId")?,
        track_id: field("entityId")?.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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

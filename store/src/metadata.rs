//! Who did it, in which capacity, and why: recorded with every event.
//!
//! cqrs-es keeps metadata as one flat string map per command; this is the one
//! place that map is built, so every event carries the same fields.

use std::collections::HashMap;

use casus_domain::{Domain, MunicipalityCode, OrganisationId, Role, WorkerId};
use uuid::Uuid;

/// The person acting, as the identity provider vouches for them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub id: WorkerId,
    pub name: String,
    pub role: Role,
    pub organisation: OrganisationId,
    pub domain: Domain,
    /// `None` only for users with a national scope (e.g. some auditors).
    pub municipality: Option<MunicipalityCode>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metadata {
    pub actor: Actor,
    /// Why, when the actor gave a reason (e.g. for a correction or a bulk reassignment).
    pub reason: Option<String>,
    /// Ties together every command of one piece of work (e.g. a bulk reassignment).
    pub correlation_id: Uuid,
    /// The event or command that caused this one, if any.
    pub causation_id: Option<Uuid>,
    pub request_id: Uuid,
}

impl Metadata {
    /// Metadata for a command that starts its own piece of work.
    pub fn new(actor: Actor, request_id: Uuid) -> Self {
        Self {
            actor,
            reason: None,
            correlation_id: request_id,
            causation_id: None,
            request_id,
        }
    }

    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    pub fn to_map(&self) -> HashMap<String, String> {
        let actor = &self.actor;
        let mut map = HashMap::from([
            ("actor_id".to_owned(), actor.id.to_string()),
            ("actor_name".to_owned(), actor.name.clone()),
            ("role".to_owned(), actor.role.to_string()),
            ("organisation".to_owned(), actor.organisation.to_string()),
            ("domain".to_owned(), actor.domain.to_string()),
            ("correlation_id".to_owned(), self.correlation_id.to_string()),
            ("request_id".to_owned(), self.request_id.to_string()),
        ]);
        let optional = [
            (
                "municipality",
                actor.municipality.as_ref().map(ToString::to_string),
            ),
            ("reason", self.reason.clone()),
            ("causation_id", self.causation_id.map(|id| id.to_string())),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                map.insert(key.to_owned(), value);
            }
        }
        map
    }

    /// Reads metadata back from a stored event; `None` if a field is missing or malformed.
    pub fn from_map(map: &HashMap<String, String>) -> Option<Self> {
        let get = |key: &str| map.get(key).map(String::as_str);
        let actor = Actor {
            id: WorkerId::parse(get("actor_id")?).ok()?,
            name: get("actor_name")?.to_owned(),
            role: get("role")?.parse().ok()?,
            organisation: OrganisationId::parse(get("organisation")?).ok()?,
            domain: get("domain")?.parse().ok()?,
            municipality: match get("municipality") {
                Some(code) => Some(MunicipalityCode::parse(code).ok()?),
                None => None,
            },
        };
        Some(Self {
            actor,
            reason: get("reason").map(str::to_owned),
            correlation_id: get("correlation_id")?.parse().ok()?,
            causation_id: match get("causation_id") {
                Some(id) => Some(id.parse().ok()?),
                None => None,
            },
            request_id: get("request_id")?.parse().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor() -> Actor {
        Actor {
            id: WorkerId::parse("w-17").unwrap(),
            name: "Fatima el Amrani".into(),
            role: Role::CaseLead,
            organisation: OrganisationId::parse("gemeente-rotterdam").unwrap(),
            domain: Domain::Social,
            municipality: Some(MunicipalityCode::parse("GM0599").unwrap()),
        }
    }

    #[test]
    fn every_field_is_recorded_and_read_back() {
        let mut metadata = Metadata::new(actor(), Uuid::now_v7()).with_reason("bulk reassignment");
        metadata.causation_id = Some(Uuid::now_v7());
        let map = metadata.to_map();
        for key in [
            "actor_id",
            "actor_name",
            "role",
            "organisation",
            "domain",
            "municipality",
            "reason",
            "correlation_id",
            "causation_id",
            "request_id",
        ] {
            assert!(map.contains_key(key), "{key} missing");
        }
        assert_eq!(Metadata::from_map(&map), Some(metadata));
    }

    #[test]
    fn absent_optional_fields_are_left_out() {
        let mut national = actor();
        national.municipality = None;
        let map = Metadata::new(national, Uuid::now_v7()).to_map();
        assert!(!map.contains_key("municipality"));
        assert!(!map.contains_key("reason"));
        assert_eq!(Metadata::from_map(&map).unwrap().actor.municipality, None);
    }
}

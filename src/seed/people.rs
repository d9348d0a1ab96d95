//! Who a seeded case meets: the people of its team, their names, the
//! texts they write, and the municipality's own organisation.

use casus_domain::*;
use casus_store::{Actor, Metadata};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;
use uuid::Uuid;

pub(super) const FIRST_NAMES: [&str; 16] = [
    "Jayden", "Noah", "Mohamed", "Daan", "Sem", "Lucas", "Milan", "Levi", "Emma", "Julia", "Sara",
    "Yasmina", "Lina", "Fenna", "Amira", "Noor",
];
pub(super) const LAST_NAMES: [&str; 16] = [
    "de Jong",
    "Jansen",
    "de Vries",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "El Amrani",
    "Yilmaz",
    "Mulder",
    "de Boer",
    "Bouzid",
    "Dekker",
    "Kaya",
    "Vermeulen",
    "Peters",
];
pub(super) const SUMMARIES: [&str; 6] = [
    "talked about school attendance and the weekend",
    "mother worried about friends from the neighbourhood",
    "agreed to join the football club on Wednesdays",
    "missed the appointment; rescheduled",
    "school reports improvement in the last weeks",
    "tension at home after a police contact",
];

/// A command and who gave it.
pub type Step = (CaseCommand, Metadata);

pub(super) fn text(s: &str) -> Text {
    Text::parse(s).expect("seed texts are valid")
}

pub(super) fn personal(s: &str) -> Personal<Text> {
    Personal::new(text(s))
}

/// Each municipality's own organisation.
pub type Places = std::collections::BTreeMap<MunicipalityCode, OrganisationId>;

pub(super) fn code<T>(parse: fn(String) -> Result<T, ValueError>, s: String) -> T {
    parse(s).expect("seed codes are valid")
}

/// The people of one team.
pub(super) struct Team {
    pub id: TeamId,
    pub area: FocusArea,
    pub domain: Domain,
    organisation: OrganisationId,
    pub workers: Vec<Worker>,
}

/// The municipality's own organisation, which holds its teams' cases:
/// `gemeente-<name>`, e.g. `gemeente-den-haag`.
pub fn municipality_organisation(name: &str) -> OrganisationId {
    let slug: String = name
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    code(OrganisationId::parse, format!("gemeente-{slug}"))
}

impl Team {
    pub(super) fn pick(rng: &mut StdRng, programme: &Programme, places: &Places) -> Self {
        let areas: Vec<&FocusArea> = programme.areas().collect();
        let area = (*areas.choose(rng).expect("the programme has areas")).clone();
        let number = rng.gen_range(1..=3);
        // Teams 1 and 2 of a focus area are social, team 3 is justice's.
        let id = code(TeamId::parse, format!("{}-{number}", area.code));
        let workers = (1..=6)
            .map(|n| Worker {
                id: code(WorkerId::parse, format!("{id}-w{n}")),
                name: text(&format!(
                    "{} {}",
                    FIRST_NAMES[n * 2],
                    LAST_NAMES[(n * 3 + number) % 16]
                )),
                team: id.clone(),
            })
            .collect();
        let organisation = places
            .get(&area.municipality)
            .cloned()
            .unwrap_or_else(|| municipality_organisation(area.municipality.as_str()));
        Self {
            id,
            area,
            organisation,
            domain: if number < 3 {
                Domain::Social
            } else {
                Domain::Justice
            },
            workers,
        }
    }

    pub(super) fn organisation(&self) -> OrganisationId {
        self.organisation.clone()
    }

    pub(super) fn by(&self, worker: &Worker, role: Role) -> Metadata {
        Metadata::new(
            Actor {
                id: worker.id.clone(),
                name: worker.name.as_str().to_owned(),
                role,
                organisation: self.organisation(),
                domain: self.domain,
                municipality: Some(self.area.municipality.clone()),
            },
            Uuid::now_v7(),
        )
    }
}

pub(super) fn uuid_from(rng: &mut StdRng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.gen()).into_uuid()
}

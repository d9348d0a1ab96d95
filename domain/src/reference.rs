//! The programme's municipalities and focus areas. They are reference data,
//! kept in the database (see the migrations) and handed to the aggregate as its
//! services, so the programme can add an area without a code change.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::values::{FocusAreaCode, MunicipalityCode};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FocusArea {
    pub code: FocusAreaCode,
    pub name: String,
    pub municipality: MunicipalityCode,
}

/// The focus areas of the programme, by code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Programme {
    areas: BTreeMap<FocusAreaCode, FocusArea>,
    /// The municipalities' names, by code.
    names: BTreeMap<MunicipalityCode, String>,
}

impl Programme {
    pub fn new(areas: impl IntoIterator<Item = FocusArea>) -> Self {
        Self {
            areas: areas.into_iter().map(|a| (a.code.clone(), a)).collect(),
            names: BTreeMap::new(),
        }
    }

    /// The programme with its municipalities' names.
    pub fn named(mut self, names: impl IntoIterator<Item = (MunicipalityCode, String)>) -> Self {
        self.names = names.into_iter().collect();
        self
    }

    /// The municipality's name, if the programme knows it.
    pub fn municipality_name(&self, code: &str) -> Option<&str> {
        self.names
            .iter()
            .find(|(c, _)| c.as_str() == code)
            .map(|(_, name)| name.as_str())
    }

    /// The municipalities with a focus area, by code, with their names
    /// where known.
    pub fn municipalities(&self) -> Vec<(&MunicipalityCode, &str)> {
        let mut codes: Vec<&MunicipalityCode> =
            self.areas.values().map(|a| &a.municipality).collect();
        codes.sort();
        codes.dedup();
        codes
            .into_iter()
            .map(|c| (c, self.names.get(c).map_or(c.as_str(), String::as_str)))
            .collect()
    }

    pub fn focus_area(&self, code: &FocusAreaCode) -> Option<&FocusArea> {
        self.areas.get(code)
    }

    /// Whether a focus area of the programme lies in `municipality`.
    pub fn has_municipality(&self, municipality: &MunicipalityCode) -> bool {
        self.areas.values().any(|a| a.municipality == *municipality)
    }

    /// Every focus area, in code order.
    pub fn areas(&self) -> impl Iterator<Item = &FocusArea> {
        self.areas.values()
    }
}

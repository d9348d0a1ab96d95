//! The claims Casus reads from a token, and the caller they describe.

use std::collections::BTreeSet;

use casus_domain::{Domain, MunicipalityCode, OrganisationId, Role, TeamId, WorkerId};
use serde::{Deserialize, Serialize};

use super::AuthError;

/// A token's claims: the registered ones and those of Casus (DESIGN.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub name: String,
    pub org: String,
    pub domain: String,
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
}

/// The authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub id: WorkerId,
    pub name: String,
    pub organisation: OrganisationId,
    pub domain: Domain,
    pub roles: BTreeSet<Role>,
    /// `None`: a national scope (auditors only).
    pub municipality: Option<MunicipalityCode>,
    pub team: Option<TeamId>,
}

impl Principal {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

impl Claims {
    pub fn into_principal(self) -> Result<Principal, AuthError> {
        let claim = |claim: &'static str, error: casus_domain::ValueError| AuthError::Claim {
            claim,
            error,
        };
        let roles = self
            .roles
            .iter()
            .map(|r| r.parse::<Role>().map_err(|e| claim("roles", e)))
            .collect::<Result<BTreeSet<_>, _>>()?;
        if roles.is_empty() {
            return Err(AuthError::NoRole);
        }
        // Only a national auditor, or an analyst of national figures, works
        // without a municipality: any other role would read nationwide.
        let national = [Role::Auditor, Role::Analyst];
        if self.municipality.is_none() && roles.iter().any(|r| !national.contains(r)) {
            return Err(AuthError::NationalScope);
        }
        // Ids are compared as sent: a `sub` with surrounding spaces would act
        // as the worker without them.
        if self.sub.trim() != self.sub {
            return Err(AuthError::SpacedSubject);
        }
        Ok(Principal {
            id: WorkerId::parse(self.sub).map_err(|e| claim("sub", e))?,
            name: casus_domain::Text::parse(self.name)
                .map_err(|e| claim("name", e))?
                .as_str()
                .to_owned(),
            organisation: OrganisationId::parse(self.org).map_err(|e| claim("org", e))?,
            domain: self.domain.parse().map_err(|e| claim("domain", e))?,
            roles,
            municipality: self
                .municipality
                .map(MunicipalityCode::parse)
                .transpose()
                .map_err(|e| claim("municipality", e))?,
            team: self
                .team
                .map(TeamId::parse)
                .transpose()
                .map_err(|e| claim("team", e))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(roles: &[&str], municipality: Option<&str>) -> Claims {
        Claims {
            sub: "w-1".into(),
            name: "Sanne".into(),
            org: "gemeente-rotterdam".into(),
            domain: "social".into(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            municipality: municipality.map(Into::into),
            team: None,
            iss: "casus".into(),
            aud: "casus".into(),
            exp: 0,
            nbf: None,
            iat: None,
        }
    }

    #[test]
    fn only_auditors_and_analysts_may_omit_the_municipality() {
        for national in [&["auditor"][..], &["analyst"], &["auditor", "analyst"]] {
            let principal = claims(national, None).into_principal().unwrap();
            assert_eq!(principal.municipality, None);
        }
        for local in [
            &["privacy_officer"][..],
            &["auditor", "privacy_officer"],
            &["case_worker"],
            &["supervisor"],
        ] {
            let refused = claims(local, None).into_principal().unwrap_err();
            assert!(
                matches!(refused, AuthError::NationalScope),
                "{local:?}: {refused}"
            );
            assert!(claims(local, Some("GM0599")).into_principal().is_ok());
        }
    }

    #[test]
    fn a_subject_with_surrounding_spaces_is_refused() {
        let mut spaced = claims(&["case_worker"], Some("GM0599"));
        spaced.sub = " w-1".into();
        assert!(matches!(
            spaced.into_principal().unwrap_err(),
            AuthError::SpacedSubject
        ));
    }
}

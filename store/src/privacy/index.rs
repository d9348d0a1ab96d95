//! A keyed blind index of the young people, so a worker can find one by
//! name and date of birth (or BSN) without Casus storing either in clear.
//! Each entry is an HMAC-SHA256 of a normalised value under a key derived
//! from the master key (HKDF, its own label): without the master key the
//! entries cannot be tested against a guess. Entries are written with the
//! referral that names the young person, and removed when they are erased.
//! What the index reveals and what not: docs/privacy.md.

use casus_domain::SubjectDetails;
use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use sqlx::{PgConnection, PgPool};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
use uuid::Uuid;

use super::keyring::{DataKey, Keyring};
use super::subjects::SealError;

/// What a worker looks a young person up by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Probe {
    NameAndBirth { name: String, born: NaiveDate },
    Bsn(String),
}

impl Probe {
    /// Every way the index finds the young person of `details`: by name and
    /// date of birth, and by BSN when given.
    pub fn all(details: &SubjectDetails) -> Vec<Probe> {
        let by_name = Probe::NameAndBirth {
            name: details.name.as_str().to_owned(),
            born: details.date_of_birth,
        };
        let by_bsn = details
            .bsn
            .as_ref()
            .map(|b| Probe::Bsn(b.as_str().to_owned()));
        std::iter::once(by_name).chain(by_bsn).collect()
    }
}

/// The key of the index, derived from the master key.
#[derive(Clone)]
pub struct IndexKey([u8; 32]);

impl std::fmt::Debug for IndexKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IndexKey(..)")
    }
}

impl IndexKey {
    pub(super) fn derive(master: &[u8]) -> Self {
        let mut key = [0; 32];
        hkdf::Hkdf::<Sha256>::new(None, master)
            .expand(b"casus blind index v1", &mut key)
            .expect("32 bytes is a valid HKDF-SHA256 length");
        Self(key)
    }

    /// The entry of `probe`.
    pub fn digest(&self, probe: &Probe) -> Vec<u8> {
        let text = match probe {
            Probe::NameAndBirth { name, born } => format!("name {}\n{born}", normalised(name)),
            Probe::Bsn(bsn) => {
                let digits: String = bsn.chars().filter(char::is_ascii_digit).collect();
                format!("bsn {digits}")
            }
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("any key length");
        mac.update(text.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// The entries of a young person's details.
    pub fn digests(&self, details: &SubjectDetails) -> Vec<Vec<u8>> {
        let by_name = Probe::NameAndBirth {
            name: details.name.as_str().to_owned(),
            born: details.date_of_birth,
        };
        let by_bsn = details
            .bsn
            .as_ref()
            .map(|b| Probe::Bsn(b.as_str().to_owned()));
        std::iter::once(by_name)
            .chain(by_bsn)
            .map(|probe| self.digest(&probe))
            .collect()
    }
}

/// A name as the index compares it: letters and digits only, without
/// accents, in lower case, its words one space apart ("Sém  El-Amrani" and
/// "sem el amrani" are the same).
fn normalised(name: &str) -> String {
    let letters: String = name
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    letters.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The young person's details in a referral's payload, open, bare or
/// sealed (opened with `key`); `None` when they cannot be read (erased).
pub(crate) fn referred(payload: &Value, key: Option<&DataKey>) -> Option<SubjectDetails> {
    let details = &payload["CaseReferred"]["details"];
    let value = match (
        details.get(casus_domain::OPEN_MARK),
        details.get(casus_domain::SEALED_MARK),
    ) {
        (Some(open), _) => open.clone(),
        (None, Some(Value::String(sealed))) => key?.open(sealed).ok()?,
        // A bare value: an event from before sealing, read as open.
        (None, None) => details.clone(),
        _ => return None,
    };
    serde_json::from_value(value).ok()
}

/// Writes the entries of `subject`'s `details`.
pub(crate) async fn add(
    conn: &mut PgConnection,
    index: &IndexKey,
    subject: Uuid,
    details: &SubjectDetails,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into subject_index (digest, subject_id)
         select d, $2 from unnest($1::bytea[]) as d on conflict do nothing",
    )
    .bind(index.digests(details))
    .bind(subject)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes every entry of `subject`: with their erasure.
pub(crate) async fn remove(conn: &mut PgConnection, subject: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("delete from subject_index where subject_id = $1")
        .bind(subject)
        .execute(conn)
        .await?;
    Ok(())
}

/// The young people `probe` finds.
pub async fn find(
    pool: &PgPool,
    keyring: &Keyring,
    probe: &Probe,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar("select subject_id from subject_index where digest = $1 order by subject_id")
        .bind(keyring.index().digest(probe))
        .fetch_all(pool)
        .await
}

/// Indexes every young person whose key lives and who has no entries yet
/// (a database from before the index, or a bulk load), opening their
/// referrals with `opening` and writing entries under `indexing`'s key.
/// Answers how many young people it indexed.
pub async fn index_missing(
    conn: &mut PgConnection,
    opening: &Keyring,
    indexing: &Keyring,
) -> Result<u64, SealError> {
    let rows: Vec<(Uuid, Vec<u8>, Value)> = sqlx::query_as(
        "select k.subject_id, k.wrapped, e.payload
           from subject_keys k
           join case_subjects s using (subject_id)
           join events e on e.aggregate_id = s.case_id::text and e.event_type = 'CaseReferred'
          where k.wrapped is not null
            and not exists (select from subject_index i where i.subject_id = k.subject_id)",
    )
    .fetch_all(&mut *conn)
    .await?;
    let index = indexing.index();
    let mut subjects = std::collections::BTreeSet::new();
    for (subject, wrapped, payload) in rows {
        let key = opening.unwrap(subject, &wrapped)?;
        if let Some(details) = referred(&payload, Some(&key)) {
            add(conn, &index, subject, &details).await?;
            subjects.insert(subject);
        }
    }
    Ok(subjects.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_without_case_accents_or_punctuation() {
        assert_eq!(normalised("  Sém  El-Amrani "), "sem el amrani");
        assert_eq!(normalised("Zoë d'Ancona"), "zoe d ancona");
        assert_ne!(normalised("Noah de Jong"), normalised("Noah de Jonge"));
    }

    #[test]
    fn a_referrals_details_are_read_open_or_bare_and_not_when_sealed_without_a_key() {
        let details = serde_json::json!({"name": "Jayden Bakker", "date_of_birth": "2011-03-14",
                                         "address": null, "bsn": null});
        let open = serde_json::json!({"CaseReferred": {"details": {"$personal": details.clone()}}});
        let bare = serde_json::json!({"CaseReferred": {"details": details}});
        let sealed = serde_json::json!({"CaseReferred": {"details": {"$sealed": "AAAA"}}});
        assert_eq!(
            referred(&open, None).unwrap().name.as_str(),
            "Jayden Bakker"
        );
        assert!(referred(&bare, None).is_some());
        assert!(referred(&sealed, None).is_none());
    }

    #[test]
    fn a_digest_depends_on_the_master_key_and_on_every_part() {
        let a = IndexKey::derive(&[1; 32]);
        let b = IndexKey::derive(&[2; 32]);
        let born = NaiveDate::from_ymd_opt(2011, 3, 14).unwrap();
        let probe = |name: &str, born| Probe::NameAndBirth {
            name: name.into(),
            born,
        };
        assert_eq!(
            a.digest(&probe("Jayden Bakker", born)),
            a.digest(&probe("jayden  bakker", born))
        );
        assert_ne!(
            a.digest(&probe("Jayden Bakker", born)),
            b.digest(&probe("Jayden Bakker", born))
        );
        let other_day = born.succ_opt().unwrap();
        assert_ne!(
            a.digest(&probe("Jayden Bakker", born)),
            a.digest(&probe("Jayden Bakker", other_day))
        );
        assert_eq!(
            a.digest(&Probe::Bsn("1234.56.782".into())),
            a.digest(&Probe::Bsn("123456782".into()))
        );
    }
}

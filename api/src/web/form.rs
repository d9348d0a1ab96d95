//! A posted form as the worker typed it, read field by field into Casus's
//! values, with a Dutch message for each field that does not hold. What was
//! typed is kept, so a refused form shows it again.

use chrono::NaiveDate;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use strum::VariantArray;

/// The fields of a posted form, in order; a field may repeat (checkboxes).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct Posted(Vec<(String, String)>);

impl Posted {
    /// A form with these fields, as if typed.
    pub fn of(fields: &[(&str, &str)]) -> Self {
        Self(
            fields
                .iter()
                .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
                .collect(),
        )
    }

    /// The field's value as typed ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    }

    /// Whether a checkbox `name` was sent with `value`.
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.0.iter().any(|(key, v)| key == name && v == value)
    }

    /// The form's content as the idempotency key's check sees it: every
    /// field but the form token, the key and the version, under `form`'s name.
    pub fn digest(&self, form: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(form);
        for (key, value) in &self.0 {
            if !matches!(key.as_str(), "_csrf" | "sleutel" | "versie") {
                hasher.update([0]);
                hasher.update(key);
                hasher.update([0]);
                hasher.update(value);
            }
        }
        hex::encode(hasher.finalize())
    }

    /// Every field as sent but the idempotency key: what a confirmation
    /// page sends on again.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .filter(|(key, _)| key != "sleutel")
            .map(|(key, value)| (key.as_str(), value.as_str()))
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Why a form was refused: a message per field, one for the form as a
/// whole, and whether the case changed since the page showed it.
#[derive(Debug, Default)]
pub struct Errors {
    fields: Vec<(&'static str, String)>,
    pub form: Option<String>,
    pub changed: bool,
}

impl Errors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.fields.push((field, message.into()));
    }

    /// The message for `field`, if it does not hold.
    pub fn on(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, message)| message.as_str())
    }

    pub fn any(&self) -> bool {
        !self.fields.is_empty() || self.form.is_some()
    }

    /// The summary at the top: each message with the field it links to.
    pub fn summary(&self) -> &[(&'static str, String)] {
        &self.fields
    }

    /// Reads the date in `field` of `posted`.
    pub fn day(&mut self, posted: &Posted, field: &'static str, what: &str) -> Option<NaiveDate> {
        self.read(field, date(posted.get(field), what))
    }

    /// Reads the free text in `field` of `posted`.
    pub fn text(
        &mut self,
        posted: &Posted,
        field: &'static str,
        what: &str,
    ) -> Option<casus_domain::Text> {
        self.read(field, text(posted.get(field), what))
    }

    /// Reads free text that may be left empty: `Some(None)` when empty,
    /// `None` when it does not hold.
    pub fn optional_text(
        &mut self,
        posted: &Posted,
        field: &'static str,
        what: &str,
    ) -> Option<Option<casus_domain::Text>> {
        match posted.get(field).trim() {
            "" => Some(None),
            typed => self.read(field, text(typed, what)).map(Some),
        }
    }

    /// Reads the id chosen in the select `field` of `posted`.
    pub fn id<T: std::str::FromStr>(
        &mut self,
        posted: &Posted,
        field: &'static str,
        what: &str,
    ) -> Option<T> {
        let chosen = posted
            .get(field)
            .trim()
            .parse()
            .map_err(|_| format!("Kies {what}."));
        self.read(field, chosen)
    }

    /// Reads one value; a field that does not hold is noted, `None` answered.
    pub fn read<T>(&mut self, field: &'static str, value: Result<T, String>) -> Option<T> {
        value.map_err(|message| self.add(field, message)).ok()
    }
}

/// A day typed in a date field (`2026-11-07`, or the Dutch `07-11-2026`).
pub fn date(value: &str, what: &str) -> Result<NaiveDate, String> {
    let value = value.trim();
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d-%m-%Y"))
        .map_err(|_| format!("Vul {what} in als dd-mm-jjjj, bijvoorbeeld 07-11-2026."))
}

/// Free text: not empty, not only spaces, not too long.
pub fn text(value: &str, what: &str) -> Result<casus_domain::Text, String> {
    casus_domain::Text::parse(value.to_owned()).map_err(|_| {
        if value.trim().is_empty() {
            format!("Vul {what} in.")
        } else {
            format!("{what} is te lang of bevat tekens die niet zijn toegestaan.")
        }
    })
}

/// A code, as Casus names it.
pub fn code<T>(
    value: &str,
    what: &str,
    parse: impl Fn(String) -> Result<T, casus_domain::ValueError>,
) -> Result<T, String> {
    if value.trim().is_empty() {
        return Err(format!("Vul {what} in."));
    }
    parse(value.trim().to_owned())
        .map_err(|_| format!("{what} is geen geldige code: kleine letters, cijfers en streepjes."))
}

/// A BSN: nine digits that pass the eleven-test.
pub fn bsn(value: &str) -> Result<casus_domain::Bsn, String> {
    casus_domain::Bsn::parse(value.trim().to_owned())
        .map_err(|_| "Dit is geen geldig BSN: negen cijfers die de elfproef doorstaan.".to_owned())
}

/// One of the choices an enum offers.
pub fn choice<T>(value: &str, what: &str) -> Result<T, String>
where
    T: VariantArray + Copy + Into<&'static str>,
{
    T::VARIANTS
        .iter()
        .copied()
        .find(|v| (*v).into() == value)
        .ok_or_else(|| format!("Kies {what}."))
}

#[cfg(test)]
mod tests {
    use casus_domain::ContactKind;

    use super::*;

    #[test]
    fn a_field_that_does_not_hold_is_named_in_dutch() {
        let mut errors = Errors::default();
        assert_eq!(
            errors.read("datum", date("07-11-2026", "de datum")),
            NaiveDate::from_ymd_opt(2026, 11, 7)
        );
        assert_eq!(errors.read("datum", date("2026-13-01", "de datum")), None);
        assert_eq!(
            errors.read("soort", choice::<ContactKind>("home_visit", "de soort")),
            Some(ContactKind::HomeVisit)
        );
        assert_eq!(
            errors.read("soort", choice::<ContactKind>("", "de soort")),
            None
        );
        assert_eq!(
            errors
                .read("verslag", text("   ", "het verslag"))
                .map(|_| ()),
            None
        );
        assert_eq!(
            errors.summary().iter().map(|(f, _)| *f).collect::<Vec<_>>(),
            ["datum", "soort", "verslag"]
        );
        assert_eq!(errors.on("verslag"), Some("Vul het verslag in."));
    }
}

//! A page's query parameters: one that does not parse (`?voor=abc`, a NUL)
//! gets the interface's own Dutch error page, as every other refusal does,
//! not the problem+json meant for the API's clients.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::Refusal;
use crate::http::extract;

pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Query<T> {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // The API's extractor, so both refuse the same values.
        extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|query| Self(query.0))
            .map_err(|_| Refusal::Bad("een waarde in het adres is ongeldig".into()))
    }
}

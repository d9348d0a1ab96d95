//! The OpenAPI 3.1 document's frame: title, version, tags and the security
//! scheme. The paths and schemas come from the routes themselves.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Casus",
        description = "Case management for the youth-crime prevention line Preventie met gezag. \
            Every write answers with the case id and its new version; every read takes a \
            `min_version` to wait for. Errors are application/problem+json (RFC 9457).",
        license(name = "EUPL-1.2"),
    ),
    components(schemas(casus_domain::Stage)),
    modifiers(&BearerScheme),
    security(("bearer" = [])),
    tags(
        (name = "cases", description = "Open cases and record what happens on them"),
        (name = "views", description = "The caller's domain view of cases"),
        (name = "supervision", description = "Caseloads and bulk reassignment"),
        (name = "audit", description = "History, point in time, export, access log and verification"),
        (name = "privacy", description = "Erasure of a young person's data, and anonymous programme statistics"),
        (name = "operations", description = "Health, readiness, metrics and this document"),
    )
)]
struct Frame;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT signed with RS256 or ES256 by the identity provider, with the \
                         claims sub, name, org, domain, roles, municipality and team.",
                    ))
                    .build(),
            ),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    Frame::openapi()
}

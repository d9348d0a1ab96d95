//! Given/when/then: every command accepted once, every rule refused with its
//! typed error.

use casus_domain::testing::*;
use casus_domain::*;
use chrono::NaiveDate;
use cqrs_es::test::{AggregateResultValidator, TestFramework};
use cqrs_es::Aggregate;

fn given(events: Vec<CaseEvent>) -> cqrs_es::test::AggregateTestExecutor<YouthCase> {
    TestFramework::<YouthCase>::with(programme()).given(events)
}

fn when(events: Vec<CaseEvent>, action: CaseCommand) -> AggregateResultValidator<YouthCase> {
    given(events).when(Command::new(action, today()))
}

fn accepts(events: Vec<CaseEvent>, action: CaseCommand, expected: Vec<CaseEvent>) {
    when(events, action).then_expect_events(expected);
}

fn refuses(events: Vec<CaseEvent>, action: CaseCommand, error: CaseError) {
    when(events, action).then_expect_error(error);
}

// ---- every command, accepted ----

#[test]
fn refer_case_opens_the_case() {
    accepts(vec![], CaseCommand::ReferCase(referral()), referred());
}

#[test]
fn record_signal() {
    let signal = Signal {
        kind: SignalKind::SchoolAbsence,
        source_org: org("het-zuider-college"),
        source_domain: Domain::Social,
        occurred_on: day(2026, 1, 11),
        summary: Some(personal("absent 12 days this month")),
    };
    accepts(
        referred(),
        CaseCommand::RecordSignal(signal.clone()),
        vec![CaseEvent::SignalRecorded(signal)],
    );
}

#[test]
fn decide_triage() {
    let t = triage(TriageDecision::TakeOn);
    accepts(
        referred(),
        CaseCommand::DecideTriage(t.clone()),
        vec![CaseEvent::TriageDecided(t)],
    );
}

#[test]
fn add_information_on_a_legal_task() {
    let info = Information {
        partner: org("raad-voor-de-kinderbescherming"),
        partner_domain: Domain::Justice,
        basis: LegalBasis::LegalTask {
            provision: personal("Jeugdwet art. 7.4.0"),
        },
        summary: personal("earlier investigation in 2024"),
        added_on: day(2026, 1, 13),
    };
    accepts(
        triaged(),
        CaseCommand::AddInformation(info.clone()),
        vec![CaseEvent::InformationAdded(info)],
    );
}

#[test]
fn include_case() {
    let inclusion = Inclusion {
        included_on: day(2026, 1, 15),
    };
    accepts(
        triaged(),
        CaseCommand::IncludeCase(inclusion.clone()),
        vec![CaseEvent::CaseIncluded(inclusion)],
    );
}

#[test]
fn assign_lead() {
    let l = lead(LeadRole::ProcessLead, 2);
    accepts(
        included(),
        CaseCommand::AssignLead(l.clone()),
        vec![CaseEvent::LeadAssigned(l)],
    );
}

#[test]
fn assign_and_unassign_worker() {
    accepts(
        referred(),
        CaseCommand::AssignWorker(worker(3)),
        vec![CaseEvent::WorkerAssigned(worker(3))],
    );
    let off = Unassignment {
        worker: worker(3).id,
        reason: Some(personal("left the team")),
    };
    accepts(
        with(referred(), [CaseEvent::WorkerAssigned(worker(3))]),
        CaseCommand::UnassignWorker(off.clone()),
        vec![CaseEvent::WorkerUnassigned(off)],
    );
}

#[test]
fn reassign_moves_the_assignment_and_the_leads() {
    let given = with(
        included_with_lead(),
        [
            CaseEvent::WorkerAssigned(worker(1)),
            CaseEvent::LeadAssigned(lead(LeadRole::ProcessLead, 1)),
        ],
    );
    let reason = Some(personal("left the team"));
    accepts(
        given,
        CaseCommand::ReassignWorker(Reassignment {
            from: worker(1).id,
            to: worker(4),
            reason: reason.clone(),
        }),
        vec![
            CaseEvent::WorkerUnassigned(Unassignment {
                worker: worker(1).id,
                reason,
            }),
            CaseEvent::WorkerAssigned(worker(4)),
            CaseEvent::LeadAssigned(lead(LeadRole::CaseLead, 4)),
            CaseEvent::LeadAssigned(lead(LeadRole::ProcessLead, 4)),
        ],
    );
}

#[test]
fn reassign_to_a_worker_already_assigned_only_unassigns() {
    accepts(
        with(
            referred(),
            [
                CaseEvent::WorkerAssigned(worker(1)),
                CaseEvent::WorkerAssigned(worker(4)),
            ],
        ),
        CaseCommand::ReassignWorker(Reassignment {
            from: worker(1).id,
            to: worker(4),
            reason: None,
        }),
        vec![CaseEvent::WorkerUnassigned(Unassignment {
            worker: worker(1).id,
            reason: None,
        })],
    );
}

#[test]
fn assess_risk_with_a_review() {
    let next = review(20, day(2026, 2, 15));
    accepts(
        included(),
        CaseCommand::AssessRisk {
            assessment: assessment(RiskLevel::High),
            next_review: Some(next.clone()),
        },
        vec![
            CaseEvent::RiskAssessed(assessment(RiskLevel::High)),
            CaseEvent::ReviewScheduled(next),
        ],
    );
}

#[test]
fn agree_plan_makes_the_case_active() {
    accepts(
        included_with_lead(),
        CaseCommand::AgreePlan(plan()),
        vec![CaseEvent::PlanAgreed(plan())],
    );
}

#[test]
fn revise_plan() {
    let revision = PlanRevision {
        plan: plan(),
        reason: personal("target date moved after the summer"),
    };
    accepts(
        active(),
        CaseCommand::RevisePlan(revision.clone()),
        vec![CaseEvent::PlanRevised(revision)],
    );
}

/// Setting the plan agrees it on a case without one, and revises it, with
/// the reason it needs, on a case that has one: the domain decides which.
#[test]
fn set_plan_agrees_or_revises() {
    let set = |reason: Option<&str>| {
        CaseCommand::SetPlan(PlanSetting {
            plan: plan(),
            reason: reason.map(personal),
        })
    };
    accepts(
        included_with_lead(),
        set(None),
        vec![CaseEvent::PlanAgreed(plan())],
    );
    accepts(
        active(),
        set(Some("target date moved after the summer")),
        vec![CaseEvent::PlanRevised(PlanRevision {
            plan: plan(),
            reason: personal("target date moved after the summer"),
        })],
    );
    refuses(active(), set(None), CaseError::RevisionWithoutReason);
}

#[test]
fn achieve_goal() {
    let achieved = GoalAchievement {
        goal_id: id(10),
        achieved_on: day(2026, 5, 1),
    };
    accepts(
        active(),
        CaseCommand::AchieveGoal(achieved.clone()),
        vec![CaseEvent::GoalAchieved(achieved)],
    );
}

#[test]
fn intervention_from_plan_to_completion() {
    let planned = intervention(30, InterventionKind::Mentoring);
    accepts(
        active(),
        CaseCommand::PlanIntervention(planned.clone()),
        vec![CaseEvent::InterventionPlanned(planned.clone())],
    );
    let start = InterventionStart {
        intervention_id: id(30),
        started_on: day(2026, 2, 12),
    };
    let running = with(active(), [CaseEvent::InterventionPlanned(planned)]);
    accepts(
        running.clone(),
        CaseCommand::StartIntervention(start.clone()),
        vec![CaseEvent::InterventionStarted(start.clone())],
    );
    let done = InterventionCompletion {
        intervention_id: id(30),
        outcome: InterventionOutcome::Successful,
        summary: Some(personal("weekly meetings kept")),
        completed_on: day(2026, 5, 1),
    };
    accepts(
        with(running, [CaseEvent::InterventionStarted(start)]),
        CaseCommand::CompleteIntervention(done.clone()),
        vec![CaseEvent::InterventionCompleted(done)],
    );
}

#[test]
fn cancel_intervention() {
    let cancel = InterventionCancellation {
        intervention_id: id(30),
        reason: personal("provider has no capacity"),
        cancelled_on: day(2026, 2, 11),
    };
    accepts(
        with(
            active(),
            [CaseEvent::InterventionPlanned(intervention(
                30,
                InterventionKind::DebtHelp,
            ))],
        ),
        CaseCommand::CancelIntervention(cancel.clone()),
        vec![CaseEvent::InterventionCancelled(cancel)],
    );
}

#[test]
fn halt_with_confession_and_both_consents() {
    let halt = intervention(31, InterventionKind::Halt);
    accepts(
        with(
            active(),
            [
                CaseEvent::ConsentRecorded(consent(
                    40,
                    "halt-rotterdam",
                    ConsentPurpose::HaltIntervention,
                    ConsentGiver::Youth,
                )),
                CaseEvent::ConsentRecorded(consent(
                    41,
                    "halt-rotterdam",
                    ConsentPurpose::HaltIntervention,
                    ConsentGiver::ParentOrGuardian,
                )),
            ],
        ),
        CaseCommand::PlanIntervention(halt.clone()),
        vec![CaseEvent::InterventionPlanned(halt)],
    );
}

#[test]
fn log_contact() {
    let contact = Contact {
        kind: ContactKind::HomeVisit,
        with_whom: vec![ContactParty::Youth, ContactParty::ParentOrGuardian],
        contacted_on: day(2026, 1, 18),
        summary: personal("mother worried about new friends"),
    };
    accepts(
        triaged(),
        CaseCommand::LogContact(contact.clone()),
        vec![CaseEvent::ContactLogged(contact)],
    );
}

#[test]
fn add_note() {
    let note = Note {
        confidentiality: Confidentiality::Justice,
        text: personal("suspect in a shop theft, not prosecuted"),
    };
    accepts(
        referred(),
        CaseCommand::AddNote(note.clone()),
        vec![CaseEvent::NoteAdded(note)],
    );
}

#[test]
fn record_and_withdraw_consent() {
    let given_consent = consent(
        40,
        "halt-rotterdam",
        ConsentPurpose::InformationSharing,
        ConsentGiver::Youth,
    );
    accepts(
        referred(),
        CaseCommand::RecordConsent(given_consent.clone()),
        vec![CaseEvent::ConsentRecorded(given_consent.clone())],
    );
    let withdrawal = ConsentWithdrawal {
        consent_id: id(40),
        withdrawn_on: day(2026, 3, 1),
    };
    accepts(
        with(referred(), [CaseEvent::ConsentRecorded(given_consent)]),
        CaseCommand::WithdrawConsent(withdrawal.clone()),
        vec![CaseEvent::ConsentWithdrawn(withdrawal)],
    );
}

#[test]
fn involve_a_justice_partner_on_consent() {
    let involvement = PartnerInvolvement {
        partner: org("halt-rotterdam"),
        partner_domain: Domain::Justice,
        basis: Some(LegalBasis::Consent { consent_id: id(40) }),
        involved_on: day(2026, 2, 1),
    };
    accepts(
        with(
            referred(),
            [CaseEvent::ConsentRecorded(consent(
                40,
                "halt-rotterdam",
                ConsentPurpose::InformationSharing,
                ConsentGiver::Youth,
            ))],
        ),
        CaseCommand::InvolvePartner(involvement.clone()),
        vec![CaseEvent::PartnerInvolved(involvement)],
    );
}

#[test]
fn involve_a_partner_of_the_same_domain_without_a_basis() {
    let involvement = PartnerInvolvement {
        partner: org("jongerenwerk-zuid"),
        partner_domain: Domain::Social,
        basis: None,
        involved_on: day(2026, 2, 1),
    };
    accepts(
        referred(),
        CaseCommand::InvolvePartner(involvement.clone()),
        vec![CaseEvent::PartnerInvolved(involvement)],
    );
}

#[test]
fn hold_conference() {
    let conference = Conference {
        held_on: day(2026, 1, 30),
        partners_present: vec![org("politie-rotterdam"), org("jongerenwerk-zuid")],
        agreements: personal("youth work picks up mentoring"),
    };
    accepts(
        included(),
        CaseCommand::HoldConference(conference.clone()),
        vec![CaseEvent::CaseConferenceHeld(conference)],
    );
}

#[test]
fn schedule_and_complete_review() {
    let r = review(20, day(2026, 2, 15));
    accepts(
        active(),
        CaseCommand::ScheduleReview(r.clone()),
        vec![CaseEvent::ReviewScheduled(r.clone())],
    );
    let completion = ReviewCompletion {
        review_id: id(20),
        completed_on: day(2026, 2, 15),
        summary: personal("on track"),
    };
    let next = review(21, day(2026, 3, 1));
    accepts(
        with(active(), [CaseEvent::ReviewScheduled(r)]),
        CaseCommand::CompleteReview {
            completion: completion.clone(),
            next_review: Some(next.clone()),
        },
        vec![
            CaseEvent::ReviewCompleted(completion),
            CaseEvent::ReviewScheduled(next),
        ],
    );
}

#[test]
fn escalate() {
    let escalation = Escalation {
        to: EscalationTarget::Administrators,
        reason: personal("no school place for three months"),
        escalated_on: day(2026, 4, 1),
    };
    accepts(
        active(),
        CaseCommand::Escalate(escalation.clone()),
        vec![CaseEvent::CaseEscalated(escalation)],
    );
}

#[test]
fn transfer_case() {
    let transfer = Transfer {
        municipality: MunicipalityCode::parse("GM0599").unwrap(),
        focus_area: FocusAreaCode::parse("rotterdam-zuid").unwrap(),
        team: TeamId::parse("zuid-2").unwrap(),
        reason: personal("the family moved across town"),
        transferred_on: day(2026, 3, 1),
    };
    accepts(
        active(),
        CaseCommand::TransferCase(transfer.clone()),
        vec![CaseEvent::CaseTransferred(transfer)],
    );
}

fn to_amsterdam() -> HandoverProposal {
    HandoverProposal {
        municipality: MunicipalityCode::parse("GM0363").unwrap(),
        reason: personal("family moved to Amsterdam"),
        proposed_on: day(2026, 3, 1),
    }
}

fn into_zuidoost() -> HandoverAcceptance {
    HandoverAcceptance {
        focus_area: FocusAreaCode::parse("amsterdam-zuidoost").unwrap(),
        team: TeamId::parse("zuidoost-2").unwrap(),
        organisation: org("gemeente-amsterdam"),
        accepted_on: day(2026, 3, 2),
    }
}

fn handover_proposed() -> Vec<CaseEvent> {
    let mut events = active();
    events.push(CaseEvent::HandoverProposed(to_amsterdam()));
    events
}

#[test]
fn a_move_to_another_municipality_is_a_handover_not_a_transfer() {
    let transfer = Transfer {
        municipality: MunicipalityCode::parse("GM0363").unwrap(),
        focus_area: FocusAreaCode::parse("amsterdam-zuidoost").unwrap(),
        team: TeamId::parse("zuidoost-2").unwrap(),
        reason: personal("family moved to Amsterdam"),
        transferred_on: day(2026, 3, 1),
    };
    refuses(
        active(),
        CaseCommand::TransferCase(transfer),
        CaseError::HandoverRequired(MunicipalityCode::parse("GM0363").unwrap()),
    );
}

#[test]
fn a_handover_is_proposed_and_then_accepted_into_the_receiving_focus_area() {
    accepts(
        active(),
        CaseCommand::ProposeHandover(to_amsterdam()),
        vec![CaseEvent::HandoverProposed(to_amsterdam())],
    );
    accepts(
        handover_proposed(),
        CaseCommand::AcceptHandover(into_zuidoost()),
        vec![CaseEvent::HandoverAccepted(Handover {
            municipality: MunicipalityCode::parse("GM0363").unwrap(),
            focus_area: FocusAreaCode::parse("amsterdam-zuidoost").unwrap(),
            team: TeamId::parse("zuidoost-2").unwrap(),
            organisation: org("gemeente-amsterdam"),
            accepted_on: day(2026, 3, 2),
        })],
    );
}

#[test]
fn a_handover_needs_a_proposal_another_programme_municipality_and_one_at_a_time() {
    refuses(
        active(),
        CaseCommand::AcceptHandover(into_zuidoost()),
        CaseError::NoHandover,
    );
    refuses(
        handover_proposed(),
        CaseCommand::ProposeHandover(to_amsterdam()),
        CaseError::HandoverPending(MunicipalityCode::parse("GM0363").unwrap()),
    );
    let home = HandoverProposal {
        municipality: MunicipalityCode::parse("GM0599").unwrap(),
        ..to_amsterdam()
    };
    refuses(
        active(),
        CaseCommand::ProposeHandover(home),
        CaseError::SameMunicipality(MunicipalityCode::parse("GM0599").unwrap()),
    );
    let unknown = HandoverProposal {
        municipality: MunicipalityCode::parse("GM0344").unwrap(),
        ..to_amsterdam()
    };
    refuses(
        active(),
        CaseCommand::ProposeHandover(unknown),
        CaseError::UnknownMunicipality(MunicipalityCode::parse("GM0344").unwrap()),
    );
    let mut rotterdam = into_zuidoost();
    rotterdam.focus_area = FocusAreaCode::parse("rotterdam-zuid").unwrap();
    refuses(
        handover_proposed(),
        CaseCommand::AcceptHandover(rotterdam),
        CaseError::FocusAreaOutsideMunicipality {
            focus_area: FocusAreaCode::parse("rotterdam-zuid").unwrap(),
            municipality: MunicipalityCode::parse("GM0363").unwrap(),
        },
    );
}

#[test]
fn a_declined_handover_leaves_nothing_to_accept() {
    let decline = HandoverDecline {
        reason: personal("no place in Zuidoost"),
        declined_on: day(2026, 3, 2),
    };
    accepts(
        handover_proposed(),
        CaseCommand::DeclineHandover(decline.clone()),
        vec![CaseEvent::HandoverDeclined(decline.clone())],
    );
    let mut declined = handover_proposed();
    declined.push(CaseEvent::HandoverDeclined(decline));
    refuses(
        declined,
        CaseCommand::AcceptHandover(into_zuidoost()),
        CaseError::NoHandover,
    );
}

#[test]
fn start_aftercare() {
    let aftercare = Aftercare {
        started_on: day(2026, 7, 1),
    };
    accepts(
        active(),
        CaseCommand::StartAftercare(aftercare.clone()),
        vec![CaseEvent::AftercareStarted(aftercare)],
    );
}

#[test]
fn close_case() {
    let c = closure(CaseResult::GoalsAchieved);
    accepts(
        active(),
        CaseCommand::CloseCase(c.clone()),
        vec![CaseEvent::CaseClosed(c)],
    );
}

#[test]
fn reopen_case() {
    let reopening = Reopening {
        reason: personal("new police contact"),
        reopened_on: day(2026, 10, 1),
    };
    accepts(
        closed(),
        CaseCommand::ReopenCase(reopening.clone()),
        vec![CaseEvent::CaseReopened(reopening)],
    );
}

#[test]
fn correct_entry_of_a_closed_case() {
    let correction = Correction {
        sequence: 2,
        correction: personal("triage was on the 13th, not the 12th"),
        contacted_on: None,
    };
    accepts(
        closed(),
        CaseCommand::CorrectEntry(correction.clone()),
        vec![CaseEvent::EntryCorrected(correction)],
    );
}

#[test]
fn erase_subject_of_a_closed_case() {
    let erasure = Erasure {
        reason: text("retention period expired"),
        erased_on: day(2026, 9, 2),
    };
    accepts(
        closed(),
        CaseCommand::EraseSubject(erasure.clone()),
        vec![CaseEvent::SubjectErased(erasure)],
    );
}

// ---- every rule, refused ----

#[test]
fn a_contact_cannot_lie_after_today_or_before_1900() {
    let contact = |on| {
        CaseCommand::LogContact(Contact {
            kind: ContactKind::Phone,
            with_whom: vec![ContactParty::Youth],
            contacted_on: on,
            summary: personal("called"),
        })
    };
    let rule = |latest| {
        CaseError::DateOutOfRange(dates::DateRule {
            field: "contacted_on",
            earliest: day(1900, 1, 1),
            latest,
        })
    };
    let tomorrow = today().succ_opt().unwrap();
    refuses(active(), contact(tomorrow), rule(today()));
    refuses(active(), contact(day(0, 1, 1)), rule(today()));
    refuses(active(), contact(day(10_000, 1, 1)), rule(today()));
    when(active(), contact(today())).then_expect_events(vec![CaseEvent::ContactLogged(
        match contact(today()) {
            CaseCommand::LogContact(c) => c,
            _ => unreachable!(),
        },
    )]);
}

/// An active case with the young person's own consent (id 40) for Halt.
fn active_with_youth_consent() -> Vec<CaseEvent> {
    with(
        active(),
        [CaseEvent::ConsentRecorded(consent(
            40,
            "halt-rotterdam",
            ConsentPurpose::HaltIntervention,
            ConsentGiver::Youth,
        ))],
    )
}

#[test]
fn a_withdrawal_cannot_be_dated_in_the_far_future() {
    refuses(
        active_with_youth_consent(),
        CaseCommand::WithdrawConsent(ConsentWithdrawal {
            consent_id: id(40),
            withdrawn_on: day(9999, 12, 31),
        }),
        CaseError::DateOutOfRange(dates::DateRule {
            field: "withdrawn_on",
            earliest: day(1900, 1, 1),
            latest: today(),
        }),
    );
}

#[test]
fn a_command_never_carries_a_sealed_value() {
    let sealed: Personal<Text> =
        serde_json::from_value(serde_json::json!({"$sealed": "copied from another case"})).unwrap();
    refuses(
        active(),
        CaseCommand::AddNote(Note {
            confidentiality: Confidentiality::Shared,
            text: sealed,
        }),
        CaseError::MarkedValue,
    );
}

#[test]
fn a_case_is_referred_once() {
    refuses(
        referred(),
        CaseCommand::ReferCase(referral()),
        CaseError::AlreadyReferred,
    );
}

#[test]
fn commands_need_a_referred_case() {
    refuses(
        vec![],
        CaseCommand::AddNote(Note {
            confidentiality: Confidentiality::Shared,
            text: personal("x"),
        }),
        CaseError::NotReferred,
    );
}

#[test]
fn expected_version_must_match() {
    given(triaged())
        .when(Command::new(CaseCommand::AssignWorker(worker(3)), today()).expecting(1))
        .then_expect_error(CaseError::VersionMismatch {
            expected: 1,
            actual: 2,
        });
    given(triaged())
        .when(Command::new(CaseCommand::AssignWorker(worker(3)), today()).expecting(2))
        .then_expect_events(vec![CaseEvent::WorkerAssigned(worker(3))]);
}

#[test]
fn focus_area_must_be_in_the_programme() {
    let mut r = referral();
    r.focus_area = FocusAreaCode::parse("almere-haven").unwrap();
    refuses(
        vec![],
        CaseCommand::ReferCase(r),
        CaseError::UnknownFocusArea(FocusAreaCode::parse("almere-haven").unwrap()),
    );
}

#[test]
fn focus_area_must_lie_in_the_municipality() {
    let mut r = referral();
    r.municipality = MunicipalityCode::parse("GM0363").unwrap();
    refuses(
        vec![],
        CaseCommand::ReferCase(r),
        CaseError::FocusAreaOutsideMunicipality {
            focus_area: FocusAreaCode::parse("rotterdam-zuid").unwrap(),
            municipality: MunicipalityCode::parse("GM0363").unwrap(),
        },
    );
}

#[test]
fn transfer_checks_the_focus_area_too() {
    let transfer = Transfer {
        municipality: MunicipalityCode::parse("GM0599").unwrap(),
        focus_area: FocusAreaCode::parse("amsterdam-zuidoost").unwrap(),
        team: TeamId::parse("zuidoost-2").unwrap(),
        reason: personal("moved"),
        transferred_on: day(2026, 3, 1),
    };
    refuses(
        active(),
        CaseCommand::TransferCase(transfer),
        CaseError::FocusAreaOutsideMunicipality {
            focus_area: FocusAreaCode::parse("amsterdam-zuidoost").unwrap(),
            municipality: MunicipalityCode::parse("GM0599").unwrap(),
        },
    );
}

#[test]
fn the_young_person_is_8_to_27() {
    let mut young = referral();
    let details = young.details.expose().expect("open details").clone();
    young.details = Personal::new(SubjectDetails {
        date_of_birth: day(2018, 2, 1),
        ..details.clone()
    });
    refuses(
        vec![],
        CaseCommand::ReferCase(young),
        CaseError::OutsideTargetGroup { age: 7 },
    );
    let mut old = referral();
    old.details = Personal::new(SubjectDetails {
        date_of_birth: day(1998, 1, 1),
        ..details
    });
    refuses(
        vec![],
        CaseCommand::ReferCase(old),
        CaseError::OutsideTargetGroup { age: 28 },
    );
}

#[test]
fn triage_is_decided_once() {
    refuses(
        triaged(),
        CaseCommand::DecideTriage(triage(TriageDecision::AdviceOnly)),
        CaseError::NotInStage {
            action: "decide the triage",
            stage: Stage::Triaged,
        },
    );
}

#[test]
fn triage_before_inclusion() {
    refuses(
        referred(),
        CaseCommand::IncludeCase(Inclusion {
            included_on: day(2026, 1, 15),
        }),
        CaseError::TriageRequired,
    );
}

#[test]
fn only_a_case_taken_on_is_included() {
    let advice = with(
        referred(),
        [CaseEvent::TriageDecided(triage(TriageDecision::AdviceOnly))],
    );
    refuses(
        advice,
        CaseCommand::IncludeCase(Inclusion {
            included_on: day(2026, 1, 15),
        }),
        CaseError::NotTakenOn(TriageDecision::AdviceOnly),
    );
}

#[test]
fn no_plan_before_a_case_lead() {
    refuses(
        included(),
        CaseCommand::AgreePlan(plan()),
        CaseError::CaseLeadRequired,
    );
    // A process lead is not a case lead.
    refuses(
        with(
            included(),
            [CaseEvent::LeadAssigned(lead(LeadRole::ProcessLead, 2))],
        ),
        CaseCommand::AgreePlan(plan()),
        CaseError::CaseLeadRequired,
    );
}

#[test]
fn a_plan_needs_unique_goals() {
    let mut empty = plan();
    empty.goals.clear();
    refuses(
        included_with_lead(),
        CaseCommand::AgreePlan(empty),
        CaseError::PlanNeedsGoals,
    );
    let mut twice = plan();
    twice.goals.push(twice.goals[0].clone());
    refuses(
        included_with_lead(),
        CaseCommand::AgreePlan(twice),
        CaseError::DuplicateGoal(id(10)),
    );
}

#[test]
fn a_plan_is_agreed_once_then_revised() {
    refuses(
        active(),
        CaseCommand::AgreePlan(plan()),
        CaseError::NotInStage {
            action: "agree a plan",
            stage: Stage::Active,
        },
    );
}

#[test]
fn no_interventions_before_an_agreed_plan() {
    refuses(
        included_with_lead(),
        CaseCommand::PlanIntervention(intervention(30, InterventionKind::Mentoring)),
        CaseError::PlanRequired("plan an intervention"),
    );
}

#[test]
fn goals_must_be_in_the_plan_and_achieved_once() {
    let unknown = GoalAchievement {
        goal_id: id(11),
        achieved_on: day(2026, 5, 1),
    };
    refuses(
        active(),
        CaseCommand::AchieveGoal(unknown),
        CaseError::UnknownGoal(id(11)),
    );
    let known = GoalAchievement {
        goal_id: id(10),
        achieved_on: day(2026, 5, 1),
    };
    refuses(
        with(active(), [CaseEvent::GoalAchieved(known.clone())]),
        CaseCommand::AchieveGoal(known),
        CaseError::GoalAlreadyAchieved(id(10)),
    );
}

#[test]
fn intervention_ids_are_unique_and_must_exist() {
    let planned = intervention(30, InterventionKind::Mentoring);
    refuses(
        with(active(), [CaseEvent::InterventionPlanned(planned.clone())]),
        CaseCommand::PlanIntervention(planned),
        CaseError::InterventionExists(id(30)),
    );
    refuses(
        active(),
        CaseCommand::StartIntervention(InterventionStart {
            intervention_id: id(39),
            started_on: day(2026, 3, 1),
        }),
        CaseError::UnknownIntervention(id(39)),
    );
}

#[test]
fn interventions_follow_planned_running_done() {
    let planned = with(
        active(),
        [CaseEvent::InterventionPlanned(intervention(
            30,
            InterventionKind::Mentoring,
        ))],
    );
    refuses(
        planned,
        CaseCommand::CompleteIntervention(InterventionCompletion {
            intervention_id: id(30),
            outcome: InterventionOutcome::Successful,
            summary: None,
            completed_on: day(2026, 3, 1),
        }),
        CaseError::InterventionIs {
            id: id(30),
            status: InterventionStatus::Planned,
            action: "complete an intervention",
        },
    );
    let cancelled = with(
        active(),
        [
            CaseEvent::InterventionPlanned(intervention(30, InterventionKind::Mentoring)),
            CaseEvent::InterventionCancelled(InterventionCancellation {
                intervention_id: id(30),
                reason: personal("no capacity"),
                cancelled_on: day(2026, 2, 11),
            }),
        ],
    );
    refuses(
        cancelled,
        CaseCommand::StartIntervention(InterventionStart {
            intervention_id: id(30),
            started_on: day(2026, 3, 1),
        }),
        CaseError::InterventionIs {
            id: id(30),
            status: InterventionStatus::Cancelled,
            action: "start an intervention",
        },
    );
}

#[test]
fn halt_needs_a_confession() {
    let mut halt = intervention(31, InterventionKind::Halt);
    halt.halt = None;
    refuses(
        active(),
        CaseCommand::PlanIntervention(halt),
        CaseError::HaltNeedsConfession,
    );
    let mut later = intervention(31, InterventionKind::Halt);
    later.halt = Some(HaltGrounds {
        confession_on: day(2026, 3, 1),
        youth_age: 14,
    });
    refuses(
        active(),
        CaseCommand::PlanIntervention(later),
        CaseError::HaltNeedsConfession,
    );
}

#[test]
fn halt_needs_the_young_persons_consent() {
    let parent_only = with(
        active(),
        [CaseEvent::ConsentRecorded(consent(
            41,
            "halt-rotterdam",
            ConsentPurpose::HaltIntervention,
            ConsentGiver::ParentOrGuardian,
        ))],
    );
    refuses(
        parent_only,
        CaseCommand::PlanIntervention(intervention(31, InterventionKind::Halt)),
        CaseError::HaltNeedsConsent,
    );
    // Consent for another purpose does not count.
    let other_purpose = with(
        active(),
        [CaseEvent::ConsentRecorded(consent(
            40,
            "halt-rotterdam",
            ConsentPurpose::InformationSharing,
            ConsentGiver::Youth,
        ))],
    );
    refuses(
        other_purpose,
        CaseCommand::PlanIntervention(intervention(31, InterventionKind::Halt)),
        CaseError::HaltNeedsConsent,
    );
}

#[test]
fn halt_under_16_needs_a_parents_consent() {
    let youth_only = active_with_youth_consent();
    refuses(
        youth_only.clone(),
        CaseCommand::PlanIntervention(intervention(31, InterventionKind::Halt)),
        CaseError::HaltNeedsParentalConsent,
    );
    let mut sixteen = intervention(31, InterventionKind::Halt);
    sixteen.halt = Some(HaltGrounds {
        confession_on: day(2026, 1, 5),
        youth_age: 16,
    });
    accepts(
        youth_only,
        CaseCommand::PlanIntervention(sixteen.clone()),
        vec![CaseEvent::InterventionPlanned(sixteen)],
    );
}

#[test]
fn a_withdrawn_consent_no_longer_counts() {
    let withdrawn = with(
        active(),
        [
            CaseEvent::ConsentRecorded(consent(
                40,
                "halt-rotterdam",
                ConsentPurpose::HaltIntervention,
                ConsentGiver::Youth,
            )),
            CaseEvent::ConsentRecorded(consent(
                41,
                "halt-rotterdam",
                ConsentPurpose::HaltIntervention,
                ConsentGiver::ParentOrGuardian,
            )),
            CaseEvent::ConsentWithdrawn(ConsentWithdrawal {
                consent_id: id(40),
                withdrawn_on: day(2026, 2, 1),
            }),
        ],
    );
    refuses(
        withdrawn,
        CaseCommand::PlanIntervention(intervention(31, InterventionKind::Halt)),
        CaseError::HaltNeedsConsent,
    );
}

#[test]
fn aftercare_and_closing_need_no_running_intervention() {
    let running = with(
        active(),
        [
            CaseEvent::InterventionPlanned(intervention(30, InterventionKind::Mentoring)),
            CaseEvent::InterventionStarted(InterventionStart {
                intervention_id: id(30),
                started_on: day(2026, 2, 12),
            }),
        ],
    );
    refuses(
        running.clone(),
        CaseCommand::CloseCase(closure(CaseResult::GoalsAchieved)),
        CaseError::InterventionRunning(id(30)),
    );
    // Aftercare leads to closing: refused where the worker can still act.
    refuses(
        running,
        CaseCommand::StartAftercare(Aftercare {
            started_on: day(2026, 7, 1),
        }),
        CaseError::InterventionRunning(id(30)),
    );
}

#[test]
fn closing_needs_a_result() {
    let no_result =
        serde_json::json!({ "CloseCase": { "summary": null, "closed_on": "2026-09-01" } });
    let parsed = serde_json::from_value::<CaseCommand>(no_result);
    assert!(parsed
        .unwrap_err()
        .to_string()
        .contains("missing field `result`"));
}

#[test]
fn reopening_needs_a_reason() {
    let blank =
        serde_json::json!({ "ReopenCase": { "reason": "  ", "reopened_on": "2026-10-01" } });
    assert!(serde_json::from_value::<CaseCommand>(blank).is_err());
}

#[test]
fn only_a_closed_case_is_reopened() {
    let reopening = Reopening {
        reason: personal("x"),
        reopened_on: day(2026, 10, 1),
    };
    refuses(
        active(),
        CaseCommand::ReopenCase(reopening),
        CaseError::NotInStage {
            action: "reopen the case",
            stage: Stage::Active,
        },
    );
}

#[test]
fn a_closed_case_takes_only_reopen_corrections_and_erasure() {
    refuses(
        closed(),
        CaseCommand::AssignWorker(worker(3)),
        CaseError::Closed,
    );
    refuses(
        closed(),
        CaseCommand::ScheduleReview(review(20, day(2026, 10, 1))),
        CaseError::Closed,
    );
}

#[test]
fn an_erased_case_takes_nothing() {
    let erased = with(
        closed(),
        [CaseEvent::SubjectErased(Erasure {
            reason: text("request"),
            erased_on: day(2026, 10, 1),
        })],
    );
    let reopening = Reopening {
        reason: personal("x"),
        reopened_on: day(2026, 10, 2),
    };
    refuses(
        erased,
        CaseCommand::ReopenCase(reopening),
        CaseError::Erased,
    );
}

#[test]
fn sharing_with_the_other_domain_needs_a_legal_basis() {
    let involvement = PartnerInvolvement {
        partner: org("openbaar-ministerie"),
        partner_domain: Domain::Justice,
        basis: None,
        involved_on: day(2026, 2, 1),
    };
    refuses(
        referred(),
        CaseCommand::InvolvePartner(involvement),
        CaseError::LegalBasisRequired {
            partner: org("openbaar-ministerie"),
            partner_domain: Domain::Justice,
        },
    );
}

#[test]
fn a_consent_basis_must_exist_and_cover_the_partner() {
    let basis = |n| Some(LegalBasis::Consent { consent_id: id(n) });
    let involvement = |n| PartnerInvolvement {
        partner: org("openbaar-ministerie"),
        partner_domain: Domain::Justice,
        basis: basis(n),
        involved_on: day(2026, 2, 1),
    };
    refuses(
        referred(),
        CaseCommand::InvolvePartner(involvement(40)),
        CaseError::UnknownConsent(id(40)),
    );
    let for_halt = with(
        referred(),
        [CaseEvent::ConsentRecorded(consent(
            40,
            "halt-rotterdam",
            ConsentPurpose::InformationSharing,
            ConsentGiver::Youth,
        ))],
    );
    refuses(
        for_halt,
        CaseCommand::InvolvePartner(involvement(40)),
        CaseError::ConsentNotValid {
            consent: id(40),
            partner: org("openbaar-ministerie"),
            on: day(2026, 2, 1),
        },
    );
}

#[test]
fn an_expired_consent_is_no_basis_for_information() {
    let mut expired = consent(
        40,
        "halt-rotterdam",
        ConsentPurpose::InformationSharing,
        ConsentGiver::Youth,
    );
    expired.valid_until = Some(day(2026, 1, 31));
    let info = Information {
        partner: org("halt-rotterdam"),
        partner_domain: Domain::Justice,
        basis: LegalBasis::Consent { consent_id: id(40) },
        summary: personal("earlier Halt referral"),
        added_on: day(2026, 2, 1),
    };
    refuses(
        with(referred(), [CaseEvent::ConsentRecorded(expired)]),
        CaseCommand::AddInformation(info),
        CaseError::ConsentNotValid {
            consent: id(40),
            partner: org("halt-rotterdam"),
            on: day(2026, 2, 1),
        },
    );
}

#[test]
fn consents_are_recorded_and_withdrawn_once() {
    let c = consent(
        40,
        "halt-rotterdam",
        ConsentPurpose::InformationSharing,
        ConsentGiver::Youth,
    );
    let recorded = with(referred(), [CaseEvent::ConsentRecorded(c.clone())]);
    refuses(
        recorded.clone(),
        CaseCommand::RecordConsent(c),
        CaseError::ConsentExists(id(40)),
    );
    let withdrawal = ConsentWithdrawal {
        consent_id: id(40),
        withdrawn_on: day(2026, 3, 1),
    };
    refuses(
        with(recorded, [CaseEvent::ConsentWithdrawn(withdrawal.clone())]),
        CaseCommand::WithdrawConsent(withdrawal.clone()),
        CaseError::ConsentAlreadyWithdrawn(id(40)),
    );
    refuses(
        referred(),
        CaseCommand::WithdrawConsent(withdrawal),
        CaseError::UnknownConsent(id(40)),
    );
}

#[test]
fn workers_are_assigned_once_and_unassigned_only_when_assigned() {
    refuses(
        with(referred(), [CaseEvent::WorkerAssigned(worker(3))]),
        CaseCommand::AssignWorker(worker(3)),
        CaseError::AlreadyAssigned(worker(3).id),
    );
    refuses(
        referred(),
        CaseCommand::UnassignWorker(Unassignment {
            worker: worker(3).id,
            reason: None,
        }),
        CaseError::NotAssigned(worker(3).id),
    );
}

#[test]
fn reassign_needs_a_part_to_move_and_another_worker() {
    refuses(
        referred(),
        CaseCommand::ReassignWorker(Reassignment {
            from: worker(1).id,
            to: worker(4),
            reason: None,
        }),
        CaseError::NotAssigned(worker(1).id),
    );
    refuses(
        with(referred(), [CaseEvent::WorkerAssigned(worker(1))]),
        CaseCommand::ReassignWorker(Reassignment {
            from: worker(1).id,
            to: worker(1),
            reason: None,
        }),
        CaseError::AlreadyAssigned(worker(1).id),
    );
}

#[test]
fn a_high_risk_needs_a_review_within_four_weeks() {
    let assess = |next_review| CaseCommand::AssessRisk {
        assessment: assessment(RiskLevel::High),
        next_review,
    };
    refuses(
        included(),
        assess(None),
        CaseError::HighRiskNeedsReview {
            by: day(2026, 2, 22),
        },
    );
    refuses(
        included(),
        assess(Some(review(20, day(2026, 2, 23)))),
        CaseError::HighRiskNeedsReview {
            by: day(2026, 2, 22),
        },
    );
    // A review already scheduled in time is enough.
    let scheduled = with(
        included(),
        [CaseEvent::ReviewScheduled(review(20, day(2026, 2, 20)))],
    );
    accepts(
        scheduled,
        assess(None),
        vec![CaseEvent::RiskAssessed(assessment(RiskLevel::High))],
    );
    // A medium risk needs none.
    accepts(
        included(),
        CaseCommand::AssessRisk {
            assessment: assessment(RiskLevel::Medium),
            next_review: None,
        },
        vec![CaseEvent::RiskAssessed(assessment(RiskLevel::Medium))],
    );
}

#[test]
fn completing_a_review_at_high_risk_needs_the_next_one() {
    let high = with(
        active(),
        [
            CaseEvent::ReviewScheduled(review(20, day(2026, 2, 15))),
            CaseEvent::RiskAssessed(assessment(RiskLevel::High)),
        ],
    );
    let completion = ReviewCompletion {
        review_id: id(20),
        completed_on: day(2026, 2, 15),
        summary: personal("worse"),
    };
    refuses(
        high,
        CaseCommand::CompleteReview {
            completion,
            next_review: None,
        },
        CaseError::HighRiskNeedsReview {
            by: day(2026, 3, 15),
        },
    );
}

#[test]
fn reviews_are_unique_exist_and_complete_once() {
    let r = review(20, day(2026, 2, 15));
    let scheduled = with(active(), [CaseEvent::ReviewScheduled(r.clone())]);
    refuses(
        scheduled.clone(),
        CaseCommand::ScheduleReview(r),
        CaseError::ReviewExists(id(20)),
    );
    let completion = ReviewCompletion {
        review_id: id(20),
        completed_on: day(2026, 2, 15),
        summary: personal("ok"),
    };
    refuses(
        active(),
        CaseCommand::CompleteReview {
            completion: completion.clone(),
            next_review: None,
        },
        CaseError::UnknownReview(id(20)),
    );
    refuses(
        with(scheduled, [CaseEvent::ReviewCompleted(completion.clone())]),
        CaseCommand::CompleteReview {
            completion,
            next_review: None,
        },
        CaseError::ReviewAlreadyCompleted(id(20)),
    );
}

#[test]
fn aftercare_follows_an_active_case() {
    refuses(
        included(),
        CaseCommand::StartAftercare(Aftercare {
            started_on: day(2026, 7, 1),
        }),
        CaseError::NotInStage {
            action: "start aftercare",
            stage: Stage::Included,
        },
    );
}

/// A correction may set the day a contact really took place, and only a
/// contact's: the case knows which of its entries are contacts.
#[test]
fn a_correction_dates_a_contact_only() {
    let contact = Contact {
        kind: ContactKind::HomeVisit,
        with_whom: vec![ContactParty::Youth],
        contacted_on: day(2026, 2, 2),
        summary: personal("talked about school"),
    };
    let mut history = active();
    history.push(CaseEvent::ContactLogged(contact));
    let contact_at = history.len() as u64;
    let dated = |sequence| Correction {
        sequence,
        correction: personal("the visit was a day earlier"),
        contacted_on: Some(day(2026, 2, 1)),
    };
    accepts(
        history.clone(),
        CaseCommand::CorrectEntry(dated(contact_at)),
        vec![CaseEvent::EntryCorrected(dated(contact_at))],
    );
    refuses(
        history,
        CaseCommand::CorrectEntry(dated(2)),
        CaseError::NotAContact(2),
    );
}

#[test]
fn a_correction_names_an_existing_entry() {
    let correction = |sequence| Correction {
        sequence,
        correction: personal("wrong date"),
        contacted_on: None,
    };
    refuses(
        triaged(),
        CaseCommand::CorrectEntry(correction(3)),
        CaseError::UnknownEntry(3),
    );
    refuses(
        triaged(),
        CaseCommand::CorrectEntry(correction(0)),
        CaseError::UnknownEntry(0),
    );
}

#[test]
fn errors_read_as_sentences_for_a_case_worker() {
    let error = CaseError::HaltNeedsParentalConsent;
    assert_eq!(
        error.to_string(),
        "the young person is under 16: a Halt intervention also needs the consent of a parent or guardian"
    );
}

// ---- sharing with partners ----

/// A case with Halt involved on consent 40 (valid to 2026-12-31) and a
/// school involved on a legal task.
fn shared() -> YouthCase {
    let mut case = YouthCase::default();
    let halt = PartnerInvolvement {
        partner: org("halt-rotterdam"),
        partner_domain: Domain::Justice,
        basis: Some(LegalBasis::Consent { consent_id: id(40) }),
        involved_on: day(2026, 2, 1),
    };
    let school = PartnerInvolvement {
        partner: org("school"),
        partner_domain: Domain::Justice,
        basis: Some(LegalBasis::LegalTask {
            provision: personal("Wet op het primair onderwijs art. 5"),
        }),
        involved_on: day(2026, 2, 1),
    };
    let consent = consent(
        40,
        "halt-rotterdam",
        ConsentPurpose::InformationSharing,
        ConsentGiver::Youth,
    );
    for event in with(
        referred(),
        [
            CaseEvent::ConsentRecorded(consent),
            CaseEvent::PartnerInvolved(halt),
            CaseEvent::PartnerInvolved(school),
        ],
    ) {
        case.apply(event);
    }
    case
}

fn sharing(case: &YouthCase, on: NaiveDate) -> Vec<&str> {
    let file = case.file().unwrap();
    file.sharing_partners(on).map(|p| p.as_str()).collect()
}

#[test]
fn a_partner_on_consent_shares_while_the_consent_holds() {
    let case = shared();
    assert_eq!(
        sharing(&case, day(2026, 6, 1)),
        ["halt-rotterdam", "school"]
    );
    // Expired: the legal task still holds, the consent does not.
    assert_eq!(sharing(&case, day(2027, 1, 1)), ["school"]);
}

#[test]
fn withdrawing_consent_ends_the_partners_share() {
    let mut case = shared();
    case.apply(CaseEvent::ConsentWithdrawn(ConsentWithdrawal {
        consent_id: id(40),
        withdrawn_on: day(2026, 6, 1),
    }));
    assert_eq!(
        sharing(&case, day(2026, 5, 31)),
        ["halt-rotterdam", "school"]
    );
    assert_eq!(sharing(&case, day(2026, 6, 1)), ["school"]);
}

"""Every write of joint controls: atomic, audited, with the acting user as `actor`.

Every service checks the actor's right itself through the model's policy
(inspections/policies.py: `require(actor, action, obj)`, 404 when the object is not visible,
403 when the action is not allowed) and never trusts its caller. A child created under a
parent (an inspection in an operation, a finding, a follow-up, a file) needs the parent's
*write* right, not only its visibility.

One module per topic; callers import the topic they use (`from inspections.services import
planning`), so a call names where its rule lives. This package re-exports nothing
(docs/architecture.md, "Services by topic"):

- `operations`: control operations, planned and moved along their way;
- `planning`: an inspection planned, agencies assigned, their answers and the assignment mail;
- `lifecycle`: the visit performed or not, an inspection cancelled or closed;
- `results`: findings, disclosures, person counts, results submitted or waived;
- `decisions`: decisions on findings and their status;
- `follow_ups`: follow-up tasks;
- `attachments`: files added and downloaded;
- `export`: the inspection list as CSV;
- `selection`: risk-based selection (planning from the ranking, the risk assessment);
- `common`: what the topics share (the actor's agency, the coordinator check, status changes).
"""

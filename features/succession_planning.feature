Feature: Succession plans for key positions (继任者计划)
  Succession planners ask who can succeed to a key position and when, which key positions have
  nobody ready, and where a key person likely to leave has no one ready to take over. Readiness
  is computed (ready now: eligible, fit ≥ 90 and latest rating ≥ 4; in 1-2 years: fit ≥ 75 and
  rating ≥ 3; in 3+ years: fit ≥ 60; the thresholds are parameters) and shown beside the
  readiness of manual nominations.

  Background:
    Given the demo organisation on 2026-01-01

  Scenario: A nomination beside the computed readiness
    When I ask for the succession plan of "P054"
    Then "E0293" is nominated "READY_NOW" and computed "READY_1_2_YEARS" with fit 100.0 and rating 3

  Scenario: A planner accepts a rating of 3 for ready now
    When I ask for the succession plan of "P054" with a ready-now rating of 3
    Then "E0293" is nominated "READY_NOW" and computed "READY_NOW" with fit 100.0 and rating 3

  Scenario: A full fit without the required certificate is not ready now
    When I ask for the succession plan of "P059"
    Then "E0300" is nominated "READY_1_2_YEARS" and computed "READY_1_2_YEARS" with fit 100.0 and rating 4

  Scenario: Bench strength of a key position without nominations
    When I ask for the bench strength of "P022"
    Then the computed successors are 0 ready now, 0 in 1-2 years and 3 in 3+ years
    And the nominated successors are 0 ready now, 0 in 1-2 years and 0 in 3+ years

  Scenario: Key positions with nobody ready now or in 1-2 years
    When I ask for the key positions without a ready successor
    Then the positions are "P022, P028"

  Scenario: A key person likely to leave with no one ready now
    When I ask for the succession risks
    Then the risks are:
      | employee | position | flight risk |
      | E0273    | P049     | HIGH        |

  Scenario: Nine-box of a department
    When I ask for the nine-box of "D14"
    Then the nine-box is:
      | potential | low performance | medium performance  | high performance |
      | HIGH      | E0299           | E0294               |                  |
      | MEDIUM    | E0295           | E0296, E0297, E0298 |                  |
      | LOW       |                 |                     | E0300            |

Feature: Qualification of the people in positions
  Someone in a position holds every certificate the position requires (持证上岗), still valid
  on the day of the check, and meets each competency the position requires as mandatory at the
  required level. A certificate is valid up to and including its expiry date; one without an
  expiry date does not expire.

  Background:
    Given the departments:
      | id | name     | parent |
      | D1 | 机加工部 |        |
    And the positions:
      | id | title     | department | headcount |
      | P1 | CNC操作员 | D1         | 4         |
      | P2 | 班组长    | D1         | 1         |
    And the certificates:
      | id    | name      |
      | CERT1 | CNC操作证 |
    And the required certificates:
      | position | certificate |
      | P1       | CERT1       |
    And the competencies:
      | id | name     |
      | C1 | 数控编程 |
      | C2 | 沟通协调 |
    And the required competencies:
      | position | competency | level | mandatory |
      | P1       | C1         | 3     | true      |
      | P1       | C2         | 3     | false     |
    And the employees:
      | id | name |
      | E1 | 毛辉 |
    And the assignments:
      | employee | position | from       |
      | E1       | P1       | 2022-02-15 |
    And the assessed competencies:
      | employee | competency | level |
      | E1       | C1         | 3     |

  Scenario Outline: The certificate a position requires is held and valid on the day of the check
    Given the certificates held:
      | employee | certificate | obtained   | expires   |
      | E1       | CERT1       | 2022-03-01 | <expires> |
    When the qualification rules are checked on 2026-01-01
    Then "required-certificates" reports <reported>

    Examples:
      | expires    | reported |
      | 2028-03-01 | nothing  |
      |            | nothing  |
      | 2026-01-01 | nothing  |
      | 2025-12-31 | E1       |

  Scenario: A missing certificate and an expired one are told apart
    Given the employees:
      | id | name   |
      | E2 | 邵琪琪 |
    And the assignments:
      | employee | position | from       |
      | E2       | P1       | 2019-09-01 |
    And the assessed competencies:
      | employee | competency | level |
      | E2       | C1         | 4     |
    And the certificates held:
      | employee | certificate | obtained   | expires    |
      | E2       | CERT1       | 2019-09-01 | 2025-08-31 |
    When the qualification rules are checked on 2026-01-01
    Then "required-certificates" reports:
      | record | value              | message                                                                                        |
      | E1     | missing            | 毛辉 (E1): P1 CNC操作员 requires CERT1 CNC操作证, but the certificate is missing (checked on 2026-01-01).            |
      | E2     | expired 2025-08-31 | 邵琪琪 (E2): P1 CNC操作员 requires CERT1 CNC操作证, but the certificate is expired 2025-08-31 (checked on 2026-01-01). |

  Scenario: A certificate is needed only in the positions held now
    Given the employees:
      | id | name |
      | E2 | 宋新楠 |
    And the assignments:
      | employee | position | from       | until      |
      | E2       | P1       | 2015-01-01 | 2020-12-31 |
      | E2       | P2       | 2021-01-01 |            |
    When the qualification rules are checked on 2026-01-01
    Then "required-certificates" reports E1

  Scenario Outline: Mandatory competencies are met at the required level; optional ones need not be
    Given the employees:
      | id | name   |
      | E2 | 宋新楠 |
    And the assignments:
      | employee | position | from       |
      | E2       | P1       | 2023-05-01 |
    And the assessed competencies:
      | employee | competency | level     |
      | E2       | C1         | <level>   |
      | E2       | C2         | 1         |
    When the qualification rules are checked
    Then "mandatory-competencies" reports <reported>

    Examples:
      | level | reported |
      | 3     | nothing  |
      | 5     | nothing  |
      | 2     | E2       |

  Scenario: A mandatory competency never assessed is not met
    Given the employees:
      | id | name   |
      | E2 | 宋新楠 |
    And the assignments:
      | employee | position | from       |
      | E2       | P1       | 2023-05-01 |
    When the qualification rules are checked
    Then "mandatory-competencies" reports:
      | record | value        | message                                                                    |
      | E2     | not assessed | 宋新楠 (E2): P1 CNC操作员 requires C1 数控编程 at level 3, but is not assessed. |

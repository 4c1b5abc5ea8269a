Feature: Succession of key positions
  Every key position (核心岗位) has at least one successor: someone nominated, or someone fit
  scoring places in a readiness band (the bands and their conditions: README, "Fit and
  succession"; never a current incumbent). When someone
  in a key position is likely to leave (flight risk high), one of the nominees must be ready
  now.

  Background:
    Given the departments:
      | id | name     | parent |
      | D1 | 总经办   |        |
      | D2 | 生产管理部 | D1   |
    And the positions:
      | id | title        | department | reports to | key   |
      | P1 | 总经理       | D1         |            | true  |
      | P2 | 生产管理部经理 | D2       | P1         | true  |
      | P3 | 计划员       | D2         | P2         | false |
    And the competencies:
      | id | name     |
      | C1 | 生产计划 |
    And the required competencies:
      | position | competency | level | mandatory |
      | P1       | C1         | 4     | true      |
      | P2       | C1         | 4     | true      |
    And the employees:
      | id | name | flight risk |
      | E1 | 王总 | low         |
      | E3 | 李明 | low         |
      | E4 | 张伟 | low         |
    And the assignments:
      | employee | position | from       |
      | E1       | P1       | 2015-01-01 |
      | E3       | P3       | 2021-09-01 |
      | E4       | P3       | 2022-02-15 |

  Scenario Outline: Every key position has a successor; other positions need none
    (Nobody has been assessed in 生产计划 yet, so fit scoring finds no successor.)
    Given the successor nominations:
      | employee | position | readiness       |
      | E3       | P1       | ready_1_2_years |
      | E4       | <for>    | ready_now       |
    When the succession rules are checked
    Then "key-position-successor" reports <reported>

    Examples:
      | for | reported |
      | P2  | nothing  |
      | P3  | P2       |

  Scenario Outline: A key position whose incumbent may leave has a successor ready now
    Given the employees:
      | id | name | flight risk |
      | E2 | 董伟 | <risk>      |
    And the assignments:
      | employee | position | from       |
      | E2       | P2       | 2019-03-01 |
    And the successor nominations:
      | employee | position | readiness   |
      | E3       | P1       | ready_now   |
      | E4       | P2       | <readiness> |
    When the succession rules are checked
    Then "key-position-at-risk" reports <reported>

    Examples:
      | risk   | readiness          | reported |
      | high   | ready_now          | nothing  |
      | high   | ready_1_2_years    | P2       |
      | high   | ready_3_plus_years | P2       |
      | medium | ready_1_2_years    | nothing  |

  Scenario: Someone who has left the key position does not put it at risk
    Given the employees:
      | id | name | flight risk |
      | E5 | 孙丽 | high        |
    And the assignments:
      | employee | position | from       | until      |
      | E5       | P1       | 2010-01-01 | 2014-12-31 |
    And the successor nominations:
      | employee | position | readiness       |
      | E3       | P1       | ready_1_2_years |
    When the succession rules are checked
    Then "key-position-at-risk" reports nothing
    And "key-position-successor" reports P2

  Scenario Outline: Without a nomination, a key position has a successor if fit scoring finds one
    Given the assessed competencies:
      | employee | competency | level   |
      | E3       | C1         | <level> |
    And the performance reviews:
      | employee | period | rating   |
      | E3       | 2024   | 2        |
      | E3       | 2025   | <rating> |
    And the successor nominations:
      | employee | position | readiness |
      | E4       | P1       | ready_now |
    When the succession rules are checked on 2026-01-01
    Then "key-position-successor" reports <reported>

    Examples: E3 fully meets P2's requirement with a good rating (fit 100, rated 4: ready now)
      | level | rating | reported |
      | 4     | 4      | nothing  |

    Examples: E3 meets three quarters of it (fit 75): in 1-2 years with a rating of 3, in 3+ years below
      | level | rating | reported |
      | 3     | 3      | nothing  |
      | 3     | 1      | nothing  |

    Examples: nobody qualifies: E3's fit of 50 is below every band, whatever the rating
      | level | rating | reported |
      | 2     | 5      | P2       |

  Scenario: A key position nobody nominated and nobody fits is reported with both counts
    Given the assessed competencies:
      | employee | competency | level |
      | E3       | C1         | 2     |
      | E4       | C1         | 1     |
    And the successor nominations:
      | employee | position | readiness       |
      | E4       | P1       | ready_1_2_years |
    When the succession rules are checked on 2026-01-01
    Then "key-position-successor" reports:
      | record | value                   | message                                                                       |
      | P2     | 0 nominated, 0 computed | Key position 生产管理部经理 (P2) has no successor: 0 nominated, 0 computed in any readiness band. |

  Scenario: The incumbent of a key position is not its successor
    Given the assessed competencies:
      | employee | competency | level |
      | E1       | C1         | 5     |
    And the performance reviews:
      | employee | period | rating |
      | E1       | 2025   | 5      |
    And the successor nominations:
      | employee | position | readiness |
      | E4       | P2       | ready_now |
    When the succession rules are checked on 2026-01-01
    Then "key-position-successor" reports P1

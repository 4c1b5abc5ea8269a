Feature: Succession of key positions
  Every key position (核心岗位) has at least one nominated successor. When someone in a key
  position is likely to leave (flight risk high), one of the successors must be ready now.

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

  Scenario Outline: Every key position has a nominated successor; other positions need none
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

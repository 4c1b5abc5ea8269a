Feature: Responsibility assignment (RACI)
  Each responsibility is held by positions in RACI roles: Responsible (does the work),
  Accountable (answers for it), Consulted, Informed. Exactly one position is accountable for
  each responsibility, and at least one is responsible. Two accountable positions, or none,
  mean the boundary between positions is unclear (需求分析 between 产品经理 and 研发工程师).

  Background:
    Given the departments:
      | id | name   | parent |
      | D1 | 总经办 |        |
      | D2 | 市场部 | D1     |
      | D3 | 研究所 | D1     |
    And the positions:
      | id | title      | department | reports to |
      | P1 | 总经理     | D1         |            |
      | P2 | 产品经理   | D2         | P1         |
      | P3 | 研发工程师 | D3         | P1         |
    And the responsibilities:
      | id | name     |
      | R1 | 需求分析 |

  Scenario Outline: Exactly one position is accountable for a responsibility
    Given the RACI assignments:
      | position | responsibility | role      |
      | P1       | R1             | <总经理>   |
      | P2       | R1             | <产品经理> |
      | P3       | R1             | <研发工程师> |
    When the RACI rules are checked
    Then "raci-one-accountable" reports <reported>

    Examples:
      | 总经理 | 产品经理 | 研发工程师 | reported |
      | A      | R        | C          | nothing  |
      | I      | A        | R          | nothing  |
      | A      | A        | R          | R1       |
      | A      | A        | A          | R1       |
      | I      | R        | R          | R1       |

  Scenario: Two accountable positions in different departments are reported with the count
    Given the RACI assignments:
      | position | responsibility | role |
      | P2       | R1             | A    |
      | P3       | R1             | A    |
      | P3       | R1             | R    |
    When the RACI rules are checked
    Then "raci-one-accountable" reports:
      | record | name     | value | message                                                                  |
      | R1     | 需求分析 | 2     | Responsibility 需求分析 (R1) has 2 accountable positions (A), not exactly 1. |
    And "raci-responsible" reports nothing

  Scenario Outline: At least one position is responsible for a responsibility
    Given the RACI assignments:
      | position | responsibility | role      |
      | P1       | R1             | A         |
      | P2       | R1             | <产品经理> |
      | P3       | R1             | <研发工程师> |
    When the RACI rules are checked
    Then "raci-responsible" reports <reported>

    Examples:
      | 产品经理 | 研发工程师 | reported |
      | R        | C          | nothing  |
      | R        | R          | nothing  |
      | C        | I          | R1       |

  Scenario: A responsibility nobody holds breaks both rules
    When the RACI rules are checked
    Then "raci-one-accountable" reports R1
    And "raci-responsible" reports R1

Feature: Organisation design rules
  Every position is described by its responsibilities and its KPIs, whose weights add up to
  100 %. Every department has positions. No position has more people in it than its headcount
  (编制). Spans of control and management layers stay within the limits the company sets.

  Background: A small, complete organisation
    Given the departments:
      | id | name   | parent |
      | D1 | 总经办 |        |
      | D2 | 生产部 | D1     |
    And the positions:
      | id | title      | department | reports to | headcount |
      | P1 | 总经理     | D1         |            | 1         |
      | P2 | 生产部经理 | D2         | P1         | 1         |
      | P3 | 操作员     | D2         | P2         | 2         |
    And the responsibilities:
      | id | name     |
      | R1 | 经营管理 |
      | R2 | 生产计划 |
      | R3 | 零件加工 |
    And the RACI assignments:
      | position | responsibility | role |
      | P1       | R1             | A    |
      | P2       | R2             | A    |
      | P3       | R3             | R    |
    And the KPIs:
      | id | name   |
      | K1 | 利润   |
      | K2 | 产量   |
      | K3 | 合格率 |
    And the KPI weights:
      | position | kpi | weight |
      | P1       | K1  | 100    |
      | P2       | K2  | 60     |
      | P2       | K3  | 40     |
      | P3       | K3  | 100    |
    And the employees:
      | id | name |
      | E1 | 王总 |
      | E2 | 李明 |
      | E3 | 张伟 |
      | E4 | 赵强 |
    And the assignments:
      | employee | position | from       |
      | E1       | P1       | 2015-01-01 |
      | E2       | P2       | 2018-07-01 |
      | E3       | P3       | 2021-09-01 |
      | E4       | P3       | 2022-02-15 |

  Scenario: The complete organisation passes every organisation rule
    When the organisation rules are checked
    Then the organisation rules report nothing

  Scenario: A position that holds no responsibility is reported
    Given the positions:
      | id | title    | department | reports to |
      | P4 | 项目助理 | D2         | P2         |
    And the KPI weights:
      | position | kpi | weight |
      | P4       | K2  | 100    |
    When the organisation rules are checked
    Then "position-has-responsibility" reports:
      | record | name     | value | message                                  |
      | P4     | 项目助理 | 0     | Position 项目助理 (P4) holds no responsibility. |

  Scenario: A position that is only informed of a responsibility holds one
    Given the positions:
      | id | title    | department | reports to |
      | P4 | 项目助理 | D2         | P2         |
    And the RACI assignments:
      | position | responsibility | role |
      | P4       | R2             | I    |
    And the KPI weights:
      | position | kpi | weight |
      | P4       | K2  | 100    |
    When the organisation rules are checked
    Then "position-has-responsibility" reports nothing

  Scenario: A position measured by no KPI is reported
    Given the positions:
      | id | title    | department | reports to |
      | P4 | 行政专员 | D1         | P1         |
    And the RACI assignments:
      | position | responsibility | role |
      | P4       | R1             | R    |
    When the organisation rules are checked
    Then "position-has-kpi" reports P4
    And "kpi-weights-sum" reports nothing

  Scenario Outline: The KPI weights of a position add up to 100 %, give or take 0.01
    Given the positions:
      | id | title      | department | reports to |
      | P4 | 数字营销专员 | D2       | P2         |
    And the RACI assignments:
      | position | responsibility | role |
      | P4       | R2             | R    |
    And the KPI weights:
      | position | kpi | weight   |
      | P4       | K2  | 60       |
      | P4       | K3  | <second> |
    When the organisation rules are checked
    Then "kpi-weights-sum" reports <reported>

    Examples:
      | second | reported |
      | 40     | nothing  |
      | 40.01  | nothing  |
      | 39.99  | nothing  |
      | 40.02  | P4       |
      | 30     | P4       |

  Scenario: A department with no position of its own is reported
    Given the departments:
      | id | name   | parent |
      | D3 | 计量室 | D2     |
    When the organisation rules are checked
    Then "department-has-positions" reports:
      | record | severity | value | message                              |
      | D3     | warning  | 0     | Department 计量室 (D3) has no position. |

  Scenario: A department with one position passes
    Given the departments:
      | id | name   | parent |
      | D3 | 计量室 | D2     |
    And the positions:
      | id | title  | department | reports to |
      | P4 | 计量员 | D3         | P2         |
    When the organisation rules are checked
    Then "department-has-positions" reports nothing

  Scenario Outline: Incumbents do not exceed the headcount; people who left do not count
    Given the employees:
      | id | name |
      | E5 | 孙丽 |
    And the assignments:
      | employee | position | from       | until   |
      | E5       | P3       | 2023-03-01 | <until> |
    When the organisation rules are checked
    Then "headcount-not-exceeded" reports <reported>

    Examples: a third operator for a headcount of two
      | until      | reported |
      | 2024-12-31 | nothing  |
      |            | P3       |

  Scenario: The message names the headcount and the incumbents
    Given the employees:
      | id | name |
      | E5 | 孙丽 |
    And the assignments:
      | employee | position |
      | E5       | P3       |
    When the organisation rules are checked
    Then "headcount-not-exceeded" reports:
      | record | value | message                                              |
      | P3     | 3     | Position 操作员 (P3) has 3 incumbents for a headcount of 2. |

  Scenario Outline: Span of control within the limit
    Given the parameter "max_span_of_control" is 2
    And the positions:
      | id | title  | department | reports to     |
      | P4 | 质检员 | D2         | P2             |
      | P5 | 计划员 | D2         | <P5 reports to> |
    When the organisation rules are checked
    Then "span-of-control" reports <reported>

    Examples:
      | P5 reports to | reported |
      | P1            | nothing  |
      | P2            | P2       |

  Scenario Outline: Management layers within the limit (the top position is layer 1)
    Given the positions:
      | id | title  | department | reports to |
      | P4 | 班组长 | D2         | P3         |
      | P5 | 组员   | D2         | <P5 reports to> |
    When the organisation rules are checked
    Then "management-layers" reports <reported>

    Examples: P4 is at layer 4, the limit
      | P5 reports to | reported |
      | P3            | nothing  |
      | P4            | P5       |

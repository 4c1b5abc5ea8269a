Feature: Labour law (PRC) for employment contracts
  Contracts follow the Labour Contract Law (劳动合同法) and the Social Insurance Law (社会保险法).
  A contract's term runs from its start date to its end date, the end date included: a
  contract from 2025-01-01 to 2025-12-31 lasts one year. The local minimum wage is a parameter
  (2690 unless the deployment sets another).

  Background:
    Given the departments:
      | id | name   |
      | D1 | 总经办 |
    And the positions:
      | id | title | department |
      | P1 | 专员  | D1         |
    And the employees:
      | id | name |
      | E1 | 张伟 |
    And the assignments:
      | employee | position |
      | E1       | P1       |

  Scenario Outline: A written contract within one month of the start (第十条, 第八十二条)
    Given the contracts:
      | id | start      | end        | signed   |
      | C1 | 2024-09-02 | 2027-09-01 | <signed> |
    When the labour-law rules are checked on 2026-01-01
    Then "written-contract-in-time" reports <reported>

    Examples:
      | signed     | reported |
      | 2024-08-26 | nothing  |
      | 2024-09-02 | nothing  |
      | 2024-10-02 | nothing  |
      | 2024-10-03 | C1       |
      | 2024-11-10 | C1       |

  Scenario Outline: A contract not signed yet is late once the month has passed
    Given the contracts:
      | id | start      | end        | signed |
      | C1 | 2025-12-01 | 2028-11-30 |        |
    And the parameter "written_contract_deadline" is 1 month
    When the labour-law rules are checked on <day>
    Then "written-contract-in-time" reports <reported>

    Examples:
      | day        | reported |
      | 2026-01-01 | nothing  |
      | 2026-01-02 | C1       |

  Scenario Outline: Probation limited by the contract term (第十九条), at and beside each boundary
    Given the contracts:
      | id | type   | start   | end   | probation   |
      | C1 | <type> | <start> | <end> | <probation> |
    When the labour-law rules are checked
    Then "probation-limit" reports <reported>

    Examples: task-based contracts and terms under 3 months allow no probation
      | type       | start      | end        | probation | reported |
      | task_based | 2025-01-01 | 2026-06-30 | 0         | nothing  |
      | task_based | 2025-01-01 | 2026-06-30 | 1         | C1       |
      | fixed_term | 2025-01-01 | 2025-03-30 | 0         | nothing  |
      | fixed_term | 2025-01-01 | 2025-03-30 | 1         | C1       |

    Examples: 3 months to under 1 year allows 1 month
      | type       | start      | end        | probation | reported |
      | fixed_term | 2025-01-01 | 2025-03-31 | 1         | nothing  |
      | fixed_term | 2025-01-01 | 2025-03-31 | 2         | C1       |
      | fixed_term | 2025-01-01 | 2025-12-30 | 1         | nothing  |
      | fixed_term | 2025-01-01 | 2025-12-30 | 2         | C1       |

    Examples: 1 year to under 3 years allows 2 months
      | type       | start      | end        | probation | reported |
      | fixed_term | 2025-01-01 | 2025-12-31 | 2         | nothing  |
      | fixed_term | 2025-01-01 | 2025-12-31 | 3         | C1       |
      | fixed_term | 2025-03-03 | 2026-03-03 | 2         | nothing  |
      | fixed_term | 2025-01-01 | 2027-12-30 | 2         | nothing  |
      | fixed_term | 2025-01-01 | 2027-12-30 | 3         | C1       |

    Examples: 3 years or more, and open-ended contracts, allow 6 months
      | type       | start      | end        | probation | reported |
      | fixed_term | 2025-01-01 | 2027-12-31 | 6         | nothing  |
      | fixed_term | 2025-01-01 | 2027-12-31 | 7         | C1       |
      | open_ended | 2025-01-01 |            | 6         | nothing  |
      | open_ended | 2025-01-01 |            | 7         | C1       |

  Scenario: The report names the case of the table that applied
    Given the contracts:
      | id | start      | end        | probation |
      | C1 | 2024-07-01 | 2026-07-01 | 3         |
    When the labour-law rules are checked
    Then "probation-limit" reports:
      | record | value | message                                                                                                          |
      | C1     | 3     | Contract C1 (term of 1 year to under 3 years, 2024-07-01 to 2026-07-01) has a probation of 3 month(s); at most 2 allowed. |

  Scenario Outline: Probation wage at least 80 % of the agreed wage (第二十条)
    Given the contracts:
      | id | start      | end        | probation   | wage | probation wage |
      | C1 | 2024-01-01 | 2027-01-01 | <probation> | 5000 | <probation wage> |
    When the labour-law rules are checked
    Then "probation-wage-ratio" reports <reported>

    Examples:
      | probation | probation wage | reported |
      | 6         | 4000           | nothing  |
      | 6         | 3999           | C1       |
      | 6         | 5000           | nothing  |
      | 0         | 3000           | nothing  |

  Scenario Outline: Probation wage not below the minimum wage (第二十条)
    Given the parameter "minimum_wage" is <minimum wage>
    And the contracts:
      | id | start      | end        | probation | wage | probation wage   |
      | C1 | 2024-01-01 | 2027-01-01 | 3         | 3300 | <probation wage> |
    When the labour-law rules are checked
    Then "probation-wage-minimum" reports <reported>

    Examples:
      | minimum wage | probation wage | reported |
      | 2690         | 2690           | nothing  |
      | 2690         | 2689           | C1       |
      | 2520         | 2689           | nothing  |

  Scenario Outline: Social insurance registered within 30 days of the start (社会保险法 第五十八条)
    Given the contracts:
      | id | start      | end        | insured   |
      | C1 | 2025-02-10 | 2028-02-09 | <insured> |
    When the labour-law rules are checked on <day>
    Then "social-insurance-in-time" reports <reported>

    Examples:
      | insured    | day        | reported |
      | 2025-03-12 | 2026-01-01 | nothing  |
      | 2025-03-13 | 2026-01-01 | C1       |
      |            | 2025-03-12 | nothing  |
      |            | 2025-03-13 | C1       |

  Scenario Outline: Wage not below the local minimum wage
    Given the parameter "minimum_wage" is <minimum wage>
    And the contracts:
      | id | start      | end        | wage   |
      | C1 | 2024-01-01 | 2027-01-01 | <wage> |
    When the labour-law rules are checked
    Then "minimum-wage" reports <reported>

    Examples:
      | minimum wage | wage    | reported |
      | 2690         | 2690    | nothing  |
      | 2690         | 2689.99 | C1       |
      | 2520         | 2600    | nothing  |

  Scenario: A legal contract passes every labour-law rule
    Given the contracts:
      | id | type       | start      | end        | probation | signed     | wage | probation wage | insured    |
      | C1 | fixed_term | 2024-03-01 | 2027-02-28 | 6         | 2024-03-01 | 8000 | 6400           | 2024-03-20 |
      | C2 | open_ended | 2023-02-13 |            | 6         | 2023-02-13 | 9000 | 7200           | 2023-02-13 |
    When the labour-law rules are checked
    Then the labour-law rules report nothing

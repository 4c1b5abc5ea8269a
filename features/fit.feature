Feature: Fit of people to positions (人岗匹配)
  HR business partners and line managers ask who fits a position, what a person lacks for it,
  which moves suit a person, who in the organisation does not fit their own position
  (人岗错位) and who can do a job. Every score is explained, requirement by requirement. The
  scenarios check the fit formula and the eligibility rule as the README states them (section
  "Fit and succession"): the score, each requirement's contribution, and what is lacking.

  Background:
    Given the demo organisation on 2026-01-01

  Scenario: Someone who meets every requirement of a key position exactly
    When I ask how well "E0293" fits "P054"
    Then the fit is 100.0 and eligible
    And nothing is lacking

  Scenario: Meeting every level is not enough without the required certificate
    When I ask how well "E0300" fits "P059"
    Then the fit is 100.0 and not eligible
    And the missing certificates are:
      | certificate | issue    | expired on |
      | CERT04      | NOT_HELD |            |

  Scenario: An expired certificate does not count
    When I ask how well "E0097" fits "P033"
    Then the fit is 100.0 and not eligible
    And the missing certificates are:
      | certificate | issue   | expired on |
      | CERT01      | EXPIRED | 2025-08-31 |

  Scenario: What a person lacks for their own position, and why the score is what it is
    When I ask how well "E0126" fits "P037"
    Then the fit is 71.4 and not eligible
    And the requirements count as follows:
      | competency | required | actual | weight | mandatory | contribution |
      | C019       | 3        | 2      | 3.0    | true      | 28.57        |
      | C020       | 3        | 4      | 1.0    | false     | 14.29        |
      | C051       | 2        | 1      | 2.0    | false     | 14.29        |
      | C068       | 3        | 4      | 1.0    | false     | 14.29        |
    And the gaps are "C019, C051"

  Scenario: The best candidates for a key position, ties broken by id
    When I ask for the 4 best candidates for "P054"
    Then the candidates are, in order:
      | employee | fit   | eligible |
      | E0293    | 100.0 | true     |
      | E0059    | 45.8  | false    |
      | E0001    | 33.3  | false    |
      | E0005    | 33.3  | false    |

  Scenario: Nobody outside the finance manager's post is eligible for it
    E0300 fits P059 fully but lacks the 注册会计师 certificate; nobody else holds it either.
    When I ask for the eligible candidates for "P059"
    Then there are no candidates

  Scenario: Career moves up to one grade above the current one
    When I ask for the 3 best moves for "E0293" at most 1 grade up
    Then the moves are, in order:
      | position | fit  |
      | P055     | 57.1 |
      | P056     | 57.1 |
      | P012     | 38.1 |

  Scenario: People in the wrong positions
    When I ask which incumbents fit their own position below 75 or are not eligible
    Then the mismatches are, in order:
      | employee | position | fit   | reasons                                                     |
      | E0126    | P037     | 71.4  | fit 71.4 is below 75; mandatory C019 at level 2, 3 required |
      | E0168    | P039     | 72.2  | fit 72.2 is below 75                                        |
      | E0096    | P033     | 100.0 | certificate CERT01 not held                                 |
      | E0097    | P033     | 100.0 | certificate CERT01 expired on 2025-08-31                    |

  Scenario: Who can run the new CNC line
    When I ask who has "C017" at level 4 or more with a valid "CERT01"
    Then the people are, in order:
      | employee | level |
      | E0093    | 5     |
      | E0094    | 5     |
      | E0095    | 4     |
      | E0100    | 4     |
      | E0101    | 4     |
      | E0113    | 4     |

  Scenario: How well a department covers the competencies its positions require
    When I ask for the team coverage of "D09"
    Then for "C019" 7 of 10 incumbents meet the level
    And for "C051" 2 of 6 incumbents meet the level

  Scenario: An assessment changed through the API shows in the next answer
    Given a copy of the demo organisation that I may change
    When I ask how well "E0126" fits "P037"
    And "E0126" is assessed at level 3 in "C019"
    And I ask how well "E0126" fits "P037"
    Then the fit is 85.7 and eligible

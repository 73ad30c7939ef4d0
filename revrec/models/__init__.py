"""Revenue contracts (ASC 606 / IFRS 15), their performance obligations and monthly schedules, and
the recognition runs that post them.

- A revenue contract records the recognition policy it was made under (basis, rounding
  remainder, a mid-month end: `catalog.revenue_schedule.Basis`), copied from the settings' defaults
  (`revrec.policies`); its schedules are built under it.
- A revenue contract is made per activated contract (kind `original`), and one more per
  amendment that adds distinct goods at their standalone price (kind `separate`). Other
  amendments modify the original prospectively.
- Its transaction price is the fixed consideration (`transaction_price`, the charge schedules'
  rows) plus the constrained estimate of variable consideration in force
  (`variable_consideration`, the latest `VariableConsideration`), allocated to the obligations
  (each one's `variable` part of `allocated`); see `revrec.services.variable`.
- One performance obligation per distinct contract line (a bundle's components each get one;
  the bundle's own line carries the price only). An amendment ends a line and starts a new one:
  the old obligation keeps what it earned, the new one takes the rest plus the change
  (`predecessor` links them, so the history stays readable).
- Schedule lines are monthly; a line is recognized once, by one run (`run`), and never changes
  after that: later changes are caught up in the first month not yet recognized.
- A recognition run covers one month: pending → running → completed | failed (a failed run
  resumes). Items are unique per revenue contract and month, so a rerun posts nothing twice.
- The accountant's judgements beyond the price: material rights and prepaid credits
  (`MaterialRight`, its `RightEvent`s; an obligation earned on redemption), rights of return
  (`ReturnEstimate`), financing components (`FinancingComponent`, its `InterestLine`s) and
  guaranteed minimums of usage (`GuaranteedMinimum`); each names the IFRS 15 paragraphs it
  applies, and the recognition run posts what they change.

The models live by subject: `contracts` (revenue contracts, their policy, modifications),
`variable` (estimates of variable consideration), `obligations` (performance obligations and
the SSP table), `recognition` (schedule lines, runs, their chunks, items and totals), and the
judgements `rights`, `returns`, `financing` and `royalties`; all of them are importable from
`revrec.models`.
"""

from revrec.models.amounts import AMOUNT
from revrec.models.contracts import (
    MidMonthEnd,
    Modification,
    ModificationMember,
    RecognitionBasis,
    RemainderTo,
    RevenueContract,
    RevenueContractKind,
    Treatment,
)
from revrec.models.financing import FinancingComponent, FinancingKind, InterestLine
from revrec.models.obligations import (
    AllocationRule,
    ObligationStatus,
    Pattern,
    PerformanceObligation,
    SSPBasis,
    SSPMethod,
    StandalonePrice,
)
from revrec.models.recognition import (
    RecognitionChunk,
    RecognitionItem,
    RecognitionRun,
    RecognizedRevenue,
    RecognizedTotal,
    RunState,
    ScheduleLine,
)
from revrec.models.returns import GoodsReturn, ReturnEstimate
from revrec.models.rights import MaterialRight, RightEvent, RightEventKind, RightKind, RightState
from revrec.models.royalties import GuaranteedMinimum
from revrec.models.variable import EstimateMethod, VariableConsideration, VariableKind

__all__ = [
    "AMOUNT", "AllocationRule", "EstimateMethod", "FinancingComponent", "FinancingKind",
    "GoodsReturn", "GuaranteedMinimum", "InterestLine", "MaterialRight", "MidMonthEnd",
    "Modification", "ModificationMember",
    "ObligationStatus", "Pattern", "PerformanceObligation", "RecognitionBasis",
    "RecognitionChunk", "RecognitionItem", "RecognitionRun", "RecognizedRevenue",
    "RecognizedTotal", "RemainderTo", "ReturnEstimate", "RevenueContract",
    "RevenueContractKind", "RightEvent", "RightEventKind", "RightKind", "RightState",
    "RunState", "SSPBasis", "SSPMethod", "ScheduleLine", "StandalonePrice", "Treatment",
    "VariableConsideration", "VariableKind",
]

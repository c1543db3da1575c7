"""The demo newsroom: sections, authors, sources and briefs, written in our own words.

Facts reused from the cited works are names, years, titles and identifiers; every sentence of the
briefs is ours. `days_ago` places the publication time relative to now; a negative value schedules.
Corrections are dated a number of days after publication.

Long because it is data (the text of a dozen briefs), not logic; `load_demo` is the code that reads it.
"""

SECTIONS = [
    ("Research Briefs", "research-briefs", "Plain-language briefs of new papers and reports on rare earths.", 1),
    ("Markets", "markets", "Prices, supply, demand and the companies in between.", 2),
    ("Policy", "policy", "Export controls, industrial strategy and the rules of the trade.", 3),
    ("Technology", "technology", "Separation, refining, magnets and recycling.", 4),
]

# slug: (name, bio, demo account that writes as this author)
AUTHORS = {
    "daniel-hart": (
        "Daniel Hart",
        "Editor of Reex. A geologist by training who has followed rare earth supply chains since the 2010 "
        "price spike, and who thinks the midstream is where the story is.",
        "editor",
    ),
    "mira-okafor": (
        "Mira Okafor",
        "Writes about processing technology and recycling. Previously a process engineer in hydrometallurgy.",
        "writer",
    ),
    "reex-research-desk": (
        "Reex Research Desk",
        "The team that reads the papers so investors and engineers do not have to read all of them.",
        None,
    ),
}

SOURCES = {
    "mochalova": {
        "authors": "Mochalova, Lyudmila A.\nPodkorytov, Vladimir N.",
        "year": 2025,
        "title": "Current trends and prospects in Russia’s rare earth metals industry",
        "container": "URFU Journal Portal",
        "doi": "10.15826/recon.2025.11.3.016",
        "evidence": "peer_reviewed",
    },
    "usgs-mcs-2025": {
        "authors": "U.S. Geological Survey",
        "year": 2025,
        "title": "Mineral commodity summaries 2025",
        "container": "U.S. Geological Survey",
        "url": "https://pubs.usgs.gov/publication/mcs2025",
        "evidence": "report",
    },
    "iea-gcmo-2024": {
        "authors": "International Energy Agency",
        "year": 2024,
        "title": "Global critical minerals outlook 2024",
        "container": "IEA",
        "url": "https://www.iea.org/reports/global-critical-minerals-outlook-2024",
        "evidence": "report",
    },
    "iea-role-2021": {
        "authors": "International Energy Agency",
        "year": 2021,
        "title": "The role of critical minerals in clean energy transitions",
        "container": "IEA",
        "url": "https://www.iea.org/reports/the-role-of-critical-minerals-in-clean-energy-transitions",
        "evidence": "report",
    },
    "eu-crma-2024": {
        "authors": "European Parliament and Council of the European Union",
        "year": 2024,
        "title": "Regulation (EU) 2024/1252 establishing a framework for ensuring a secure and sustainable supply "
        "of critical raw materials",
        "container": "Official Journal of the European Union",
        "url": "https://eur-lex.europa.eu/eli/reg/2024/1252/oj",
        "evidence": "other",
    },
    "binnemans-2013": {
        "authors": "Binnemans, Koen\nJones, Peter Tom\nBlanpain, Bart\nVan Gerven, Tom\nYang, Yongxiang\n"
        "Walton, Allan\nBuchert, Matthias",
        "year": 2013,
        "title": "Recycling of rare earths: a critical review",
        "container": "Journal of Cleaner Production",
        "volume": "51",
        "pages": "1–22",
        "doi": "10.1016/j.jclepro.2012.12.037",
        "evidence": "peer_reviewed",
    },
}

SEED_SLUG = "russias-rare-earths-crossroads"

ARTICLES = [
    {
        "slug": SEED_SLUG,
        "title": "Russia’s Rare Earths Crossroads: Ambition, Bottlenecks, and a Risk-Adjusted Path Forward",
        "section": "research-briefs",
        "authors": ["daniel-hart"],
        "by": "editor",
        "days_ago": 26,
        "featured": True,
        "tags": ["Russia", "separation", "NdFeB", "supply chain", "policy"],
        "standfirst": "Russia sits on large rare earth reserves yet produces little. A new paper says the "
        "bottleneck is the midstream, not the geology, and that only a state-backed mine-to-magnet chain can fix it.",
        "hero_alt": "Abstract illustration: soft circles and hexagons suggesting a crystal lattice, behind the "
        "headline “Russia’s Rare Earths Crossroads”",
        "hero_caption": "Experts at Ural State Mining University: promise, but a long, steep trek.",
        "hero_credit": "Illustration: Rare Earth Exchanges (generated)",
        "highlights": [
            "Russia holds significant rare earth reserves but remains a minor producer, held back by fragmented "
            "processing, thin refining know-how and high investment risk.",
            "What Russian industry consumes does not match the world’s fastest-growing demand: magnet-grade "
            "neodymium, praseodymium, dysprosium and terbium.",
            "The authors want state-backed integration from mine to magnet; capital, technology and sanctions "
            "make that a long climb.",
        ],
        "intro": "In *Current trends and prospects in Russia’s rare earth metals industry* (2025), Lyudmila A. "
        "Mochalova and Vladimir N. Podkorytov of Ural State Mining University in Ekaterinburg ask why a country "
        "with so much ore makes so little metal.\n\n"
        "Their answer, published in the URFU Journal Portal: the problem sits between the mine and the "
        "factory. Processing chains are broken into pieces, separation and refining skills are scarce, and "
        "investors price in a lot of risk. On top of that, Russian demand looks little like the global "
        "magnet market that is driving growth.",
        "findings": [
            (
                "The rocks are there; the refineries are not.",
                "Deposits are spread unevenly and the chain from concentrate to oxide to metal is split across "
                "sites and owners, which makes consistent, large-scale output hard.",
            ),
            (
                "Price swings raise the cost of money.",
                "Volatile prices and fast-moving technology make lenders cautious, so projects pay more for "
                "capital or wait.",
            ),
            (
                "Home demand is not export demand.",
                "Domestic use trails the magnet and electric-vehicle trends abroad, leaving a gap between what "
                "Russia can make and what buyers want.",
            ),
            (
                "Policy is the proposed lever.",
                "The authors call for integrated, state-supported value chains, from mine to metal to magnet "
                "alloy, in the name of “technological sovereignty”.",
            ),
        ],
        "sections": [
            (
                "Why Investors Should Care",
                "If Russia can bundle feedstock, processing and guaranteed offtake, it could move from reserve "
                "holder to dependable supplier, notably for buyers in Europe and Asia looking beyond China. "
                "The lift is heavy: capital, process know-how, environmental permits and firm end-market demand "
                "from electric vehicles, wind and defence. The prize, and the price, is mastery of the midstream: "
                "**separation**, refining and alloying.",
            ),
        ],
        "signals": [
            (
                "solid",
                "A clear diagnosis of the structural gaps (fragmented processing, price risk, demand mismatch) and "
                "a realistic call for an integrated, policy-backed build-out.",
            ),
            (
                "speculative",
                "How fast Russia can raise capital, deploy modern separation technology and keep export channels "
                "open under sanctions. The paper argues for a policy; execution risk stays high.",
            ),
        ],
        "limitations": [
            (
                "Desk research bias",
                "The study synthesises USGS and Russian state reports, with little plant-level operating data.",
            ),
            (
                "Market opacity",
                "Sanctions and geopolitics distort trade flows, prices and financing in ways the paper cannot model.",
            ),
            (
                "Technology readiness",
                "Going from laboratory flowsheets to continuous commercial solvent extraction and magnet alloying "
                "takes years and a great deal of capital.",
            ),
        ],
        "bottom_line": "Mochalova and Podkorytov offer a sober roadmap: Russia’s rare earth future depends on "
        "integrating the midstream and matching what it makes to what the world buys. Watch for bankable "
        "projects that pair a deposit with permitted separation capacity, a magnet partner and take-or-pay "
        "offtake. Until then, Russia is potential, not a pivot.",
        "sources": ["mochalova"],
        "corrections": [
            (
                2,  # days after publication
                "An earlier version of this brief placed the authors’ university in Moscow. Ural State Mining "
                "University is in Ekaterinburg.",
            )
        ],
    },
    {
        "slug": "usgs-2025-china-still-sets-the-pace",
        "title": "USGS 2025: China Still Sets the Pace in Mining and, Above All, Separation",
        "section": "markets",
        "authors": ["reex-research-desk"],
        "by": "editor",
        "days_ago": 22,
        "tags": ["China", "USGS", "separation", "production"],
        "standfirst": "The annual U.S. government survey shows mine output spreading out slowly, while the "
        "chemistry that turns concentrate into usable oxides stays concentrated in one country.",
        "highlights": [
            "Mine production outside China keeps growing, from Australia to the United States.",
            "Separation into individual oxides remains the narrowest part of the chain.",
        ],
        "intro": "Every year the U.S. Geological Survey publishes its *Mineral Commodity Summaries*, a compact "
        "statistical portrait of more than ninety commodities. The 2025 edition’s rare earth pages confirm a "
        "familiar picture: more countries dig, far fewer separate.",
        "findings": [
            (
                "Mining is diversifying.",
                "Output from mines outside China is a larger share than a decade ago, led by Australia and "
                "the United States.",
            ),
            (
                "Processing is not.",
                "Much of that concentrate still travels to China to be cracked and separated, so the chokepoint "
                "moves downstream rather than disappearing.",
            ),
        ],
        "signals": [
            ("solid", "Government statistics with a long, consistent series: good for trends."),
            ("speculative", "Estimates for countries that publish little are, by the survey’s own account, rough."),
        ],
        "limitations": [
            ("Aggregates only", "Country totals say nothing about the grade or the element mix of each mine."),
        ],
        "bottom_line": "Counting mines overstates diversification. Count separation plants instead.",
        "sources": ["usgs-mcs-2025"],
    },
    {
        "slug": "iea-magnet-demand-outruns-supply",
        "title": "IEA Outlook: Demand for Magnet Rare Earths Climbs Faster Than New Supply",
        "section": "markets",
        "authors": ["daniel-hart", "reex-research-desk"],
        "by": "editor",
        "days_ago": 18,
        "tags": ["IEA", "NdFeB", "electric vehicles", "wind"],
        "standfirst": "The International Energy Agency expects demand for magnet metals to keep rising with "
        "electric cars and wind turbines, and warns that announced projects leave supply concentrated.",
        "highlights": [
            "Permanent magnets drive most of the growth in rare earth demand.",
            "Announced projects would diversify supply only modestly by the end of the decade.",
        ],
        "intro": "The IEA’s *Global Critical Minerals Outlook 2024* tracks lithium, nickel, cobalt, copper, "
        "graphite and the rare earths used in permanent magnets. For the magnet elements, the agency sees demand "
        "climbing in every scenario, and a supply base that changes shape slowly.",
        "findings": [
            (
                "Magnets lead demand.",
                "Electric motors and wind generators using neodymium-iron-boron magnets account for most of the "
                "expected growth.",
            ),
            (
                "Concentration persists.",
                "Refining of magnet rare earths stays dominated by a single country in the agency’s projections.",
            ),
        ],
        "signals": [
            ("solid", "Scenario modelling built on a detailed, published project pipeline."),
            ("speculative", "Demand paths depend on policy choices and on how quickly magnet-free motors spread."),
        ],
        "limitations": [
            ("Scenario, not forecast", "The IEA shows what follows from assumptions; it does not predict prices."),
        ],
        "bottom_line": "The direction is clear even if the slope is not: magnet demand goes up, and "
        "diversified refining is the bottleneck to watch.",
        "sources": ["iea-gcmo-2024"],
    },
    {
        "slug": "eu-critical-raw-materials-act-benchmarks",
        "title": "Europe’s Critical Raw Materials Act Sets Benchmarks It Cannot Yet Meet",
        "section": "policy",
        "authors": ["daniel-hart"],
        "by": "editor",
        "days_ago": 15,
        "tags": ["European Union", "policy", "recycling", "processing"],
        "standfirst": "The EU wants a tenth of its strategic raw materials mined at home, two fifths processed at "
        "home and a quarter recycled by 2030. For rare earths, the gap is widest in processing.",
        "highlights": [
            "Three 2030 benchmarks: 10% extraction, 40% processing, 25% recycling of EU consumption.",
            "No more than 65% of any strategic raw material should come from a single third country.",
        ],
        "intro": "Regulation (EU) 2024/1252, the *Critical Raw Materials Act*, entered into force in 2024. It "
        "names strategic raw materials, including the rare earths used in magnets, sets capacity benchmarks and "
        "promises faster permits for “strategic projects”.",
        "findings": [
            (
                "Benchmarks, not mandates.",
                "The targets guide funding and permitting; no company is obliged to meet them.",
            ),
            (
                "Processing is the hard part.",
                "Europe has some separation know-how but little operating capacity for magnet rare earths.",
            ),
        ],
        "signals": [
            ("solid", "Faster permitting for selected projects is a concrete, testable change."),
            ("speculative", "Whether financing follows the designations at the scale the benchmarks imply."),
        ],
        "limitations": [
            ("Law, not outcome", "A regulation sets intentions; plants are built by investors."),
        ],
        "bottom_line": "The Act tells investors where Europe wants to go. The first separation plants to reach "
        "steady production will show whether it gets there.",
        "sources": ["eu-crma-2024"],
    },
    {
        "slug": "recycling-rare-earths-why-so-few-magnets-come-back",
        "title": "Recycling Rare Earths: Why So Few Magnets Come Back",
        "section": "technology",
        "authors": ["mira-okafor"],
        "by": "writer",
        "days_ago": 12,
        "tags": ["recycling", "NdFeB", "circular economy"],
        "standfirst": "A much-cited review found that only a tiny share of rare earths was recycled. The reasons "
        "it gave, dispersed use and hard-to-reach magnets, still shape the business today.",
        "highlights": [
            "Most rare earths end up in small amounts inside products that are hard to take apart.",
            "Large magnets in motors and turbines are the most promising stream to recover.",
        ],
        "intro": "In *Recycling of rare earths: a critical review* (2013), Koen Binnemans and colleagues surveyed "
        "how rare earths could be recovered from magnets, lamp phosphors and batteries. Their conclusion was "
        "blunt: at the time, almost none were.",
        "findings": [
            (
                "Collection is the first problem.",
                "A hard-disk magnet weighs a few grams; getting it out costs more than the metal is worth.",
            ),
            (
                "Direct reuse beats chemistry where it can.",
                "Reusing or re-processing whole magnets saves the energy and reagents of a new **separation** run.",
            ),
        ],
        "signals": [
            ("solid", "A thorough review of recovery routes that later work keeps citing."),
            ("speculative", "Recycled volumes remain small next to projected demand growth."),
        ],
        "limitations": [
            ("Dated figures", "The review predates the electric-vehicle boom; volumes have changed since."),
        ],
        "bottom_line": "Recycling will not close the gap soon, but big magnets from motors and turbines are "
        "worth designing for recovery now.",
        "sources": ["binnemans-2013"],
    },
    {
        "slug": "clean-energy-mineral-bill-iea-baseline",
        "title": "Clean Energy’s Mineral Bill: What the IEA’s 2021 Baseline Still Gets Right",
        "section": "research-briefs",
        "authors": ["reex-research-desk"],
        "by": "editor",
        "days_ago": 9,
        "tags": ["IEA", "energy transition", "critical minerals"],
        "standfirst": "Four years on, the IEA’s first big report on critical minerals reads less like a warning "
        "and more like a checklist: long lead times, concentrated processing, and price risk.",
        "highlights": [
            "Clean energy technologies need far more minerals than the fossil systems they replace.",
            "New mines take well over a decade from discovery to production.",
        ],
        "intro": "*The Role of Critical Minerals in Clean Energy Transitions* (IEA, 2021) put numbers on a simple "
        "idea: an electric car or a wind farm uses several times the minerals of its fossil counterpart. The "
        "report’s structural points have aged well.",
        "findings": [
            (
                "Lead times are long.",
                "Mines take many years to permit and build, so supply responds slowly to price signals.",
            ),
            (
                "Processing is more concentrated than mining.",
                "For rare earths, the refining step is where one country’s share is highest.",
            ),
        ],
        "signals": [
            ("solid", "Intensity estimates per technology remain a useful baseline."),
            ("speculative", "Demand numbers in the 2021 scenarios have since been revised."),
        ],
        "limitations": [
            ("Superseded data", "Later IEA outlooks update the figures; use them for numbers."),
        ],
        "bottom_line": "Read the 2021 report for the structure of the problem and the later outlooks for the numbers.",
        "sources": ["iea-role-2021"],
    },
    {
        "slug": "heavy-rare-earths-tightest-link",
        "title": "Heavy Rare Earths: Dysprosium and Terbium Remain the Tightest Link",
        "section": "markets",
        "authors": ["daniel-hart", "mira-okafor"],
        "by": "editor",
        "days_ago": 6,
        "tags": ["dysprosium", "terbium", "NdFeB", "China"],
        "standfirst": "High-temperature magnets need small amounts of dysprosium and terbium. Supply of both is "
        "even more concentrated than that of the light rare earths.",
        "highlights": [
            "A few percent of dysprosium or terbium keeps a magnet strong when it runs hot.",
            "Few deposits outside China carry meaningful heavy rare earths.",
        ],
        "intro": "Reading the USGS summaries next to the IEA outlook, one pattern stands out: the heavy rare "
        "earths used to make magnets heat-resistant are the scarcest part of an already tight chain.",
        "findings": [
            (
                "Small quantities, big leverage.",
                "Motor makers need little dysprosium per magnet, but without it many designs fail at temperature.",
            ),
            (
                "Engineering is a partial answer.",
                "Grain-boundary diffusion and motor redesigns cut the heavy rare earth content per magnet.",
            ),
        ],
        "signals": [
            ("solid", "Both sources agree that heavy rare earth supply is narrow."),
            ("speculative", "How fast thrifting technology spreads across motor makers."),
        ],
        "limitations": [
            ("Thin public data", "Heavy rare earth trade is small and poorly reported."),
        ],
        "bottom_line": "Watch dysprosium and terbium before neodymium: they will pinch first.",
        "sources": ["usgs-mcs-2025", "iea-gcmo-2024"],
    },
    {
        "slug": "separation-capacity-outside-china",
        "title": "Separation Capacity Outside China: Counting the Projects That Matter",
        "section": "technology",
        "authors": ["mira-okafor"],
        "by": "writer",
        "days_ago": 3,
        "tags": ["separation", "solvent extraction", "projects"],
        "standfirst": "Mines make headlines, but separation plants decide who controls supply. We read the "
        "public sources for the projects that could actually produce separated oxides this decade.",
        "highlights": [
            "Solvent extraction circuits take years to commission and tune.",
            "A handful of plants outside China produce separated oxides at scale today.",
        ],
        "intro": "Separating rare earths from each other is slow, reagent-hungry chemistry: hundreds of mixer-"
        "settler stages for a full split. Using the USGS survey as a base, this brief explains why the number of "
        "working plants matters more than the number of announced ones.",
        "findings": [
            (
                "Commissioning is the risk.",
                "Plants that work in pilot often need a year or more to reach design output and purity.",
            ),
            (
                "Feed matters.",
                "A separation plant is only as steady as its concentrate supply, so mine and plant must be planned "
                "together.",
            ),
        ],
        "signals": [
            ("solid", "Operating plants with published output are few but real."),
            ("speculative", "Announced capacity that has neither financing nor a feed contract."),
        ],
        "limitations": [
            ("Company data", "Much project information comes from company statements, not audited figures."),
        ],
        "bottom_line": "Discount announcements; count plants with feed, permits and customers.",
        "sources": ["usgs-mcs-2025"],
    },
    {
        "slug": "magnet-supply-what-to-watch-next-quarter",
        "title": "Magnet Supply: What to Watch Next Quarter",
        "section": "markets",
        "authors": ["daniel-hart"],
        "by": "editor",
        "days_ago": -3,  # scheduled
        "tags": ["NdFeB", "outlook"],
        "standfirst": "Three signals that will tell us whether magnet supply outside China is really growing: "
        "oxide contracts, plant commissioning reports and export licences.",
        "highlights": ["Contracts, commissioning and licences: the three numbers we will track."],
        "intro": "A short outlook for the coming quarter, based on the sources we have briefed this month.",
        "findings": [("Contracts first.", "Offtake agreements show demand that is willing to pay for diversity.")],
        "signals": [("speculative", "Quarterly data is noisy; one report is not a trend.")],
        "limitations": [("Short horizon", "A quarter is a short time in a business measured in decades.")],
        "bottom_line": "Patience, and a spreadsheet.",
        "sources": ["iea-gcmo-2024"],
    },
    {
        "slug": "gallium-germanium-export-controls-one-year-on",
        "title": "Gallium and Germanium Export Controls, One Year On",
        "section": "policy",
        "authors": ["mira-okafor"],
        "by": "writer",
        "draft": True,
        "tags": ["export controls", "gallium", "germanium"],
        "standfirst": "A first look at what a year of licensing did to trade in two minor metals.",
        "intro": "Draft: notes on the licensing regime and what the trade data shows so far.",
        "sources": ["usgs-mcs-2025"],
    },
]

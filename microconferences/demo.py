"""The seven LPC 2022 microconferences of the seed, with their complete topic lists.

Topic titles are facts and are kept exactly as announced (typos included); summaries and
descriptions are our own words. Leads are fictional demo people. Loading twice changes
nothing: MCs, headings and topics are found by slug / title, and topics a lead added in the
demo are kept (after the announced ones)."""

from microconferences import services
from microconferences.models import Microconference, Topic, TopicGroup

MC_LEAD_EMAIL = "mclead@example.org"
MC_LEAD_PASSWORD = "plumbers-mclead"

# (slug, title, summary, description, (lead email, lead name), [(heading or None, [topics])])
MICROCONFERENCES = [
    (
        "vfio-iommu-pci",
        "VFIO/IOMMU/PCI",
        "Where the PCI, IOMMU and VFIO maintainers line up the interfaces that device "
        "passthrough, shared virtual addressing and the new interconnects depend on.",
        "Modern PCI devices arrive with a long list of capabilities (address translation, "
        "PASID, peer-to-peer DMA, CXL memory, device attestation and link encryption) and "
        "almost every one of them touches three kernel subsystems at once: the PCI core, "
        "the IOMMU drivers in front of the devices, and VFIO, which hands devices to user "
        "space and to virtual machines.\n\n"
        "This microconference gathers the people working on those three layers so that "
        "kernel interfaces and user-space APIs are designed together rather than patched "
        "together afterwards. The topics below are grouped by the subsystem that leads "
        "the discussion.",
        ("mclead-vfio@example.org", "Vera Vector"),
        [
            (
                "PCI",
                [
                    "Cache Coherent Interconnect for Accelerators (CCIX)/Compute Express Link "
                    "(CXL) expansion memory and accelerators management",
                    "Data Object Exchange (DOE)",
                    "Integrity and Data Encryption (IDE)",
                    "Component Measurement and Authentication (CMA)",
                    "Security Protocol and Data Model (SPDM)",
                    "I/O Address Space ID Allocator (IOASID)",
                    "INTX/MSI IRQ domain consolidation",
                    "Gen-Z interconnect fabric",
                    "ARM64 architecture and hardware",
                    "PCI native host controllers/endpoints drivers current challenges and "
                    "improvements (e.g., state of PCI quirks, etc.)",
                    "PCI error handling and management e.g., Advanced Error Reporting (AER), "
                    "Downstream Port Containment (DPC), ACPI Platform Error Interface (APEI) "
                    "and Error Disconnect Recover (EDR)",
                    "Power management and devices supporting Active-state Power Management (ASPM)",
                    "Peer-to-Peer DMA (P2PDMA)",
                    "Resources claiming/assignment consolidation",
                    "Probing of native PCIe controllers and general reset implementation",
                    "Prefetchable vs non-prefetchable BAR address mappings",
                    "Untrusted/external devices management",
                    "DMA ownership models",
                    "Thunderbolt, DMA, RDMA and USB4 security",
                ],
            ),
            (
                "VFIO",
                [
                    "Write-combine on non-x86 architectures",
                    "I/O Page Fault (IOPF) for passthrough devices",
                    "Shared Virtual Addressing (SVA) interface",
                    "Single-root I/O Virtualization(SRIOV)/Process Address Space ID (PASID) "
                    "integration",
                    "PASID in SRIOV virtual functions",
                    "Device assignment/sub-assignment",
                ],
            ),
            (
                "IOMMU",
                [
                    "/dev/iommufd development",
                    "IOMMU virtualization",
                    "IOMMU drivers SVA interface",
                    "DMA-API layer interactions and the move towards generic dma-ops for "
                    "IOMMU drivers",
                    "Possible IOMMU core changes (e.g., better integration with device-driver "
                    "core, etc.)",
                ],
            ),
        ],
    ),
    (
        "android",
        "Android",
        "Android and upstream kernel developers compare plans so that the two keep moving "
        "forward in step.",
        "Android ships one of the largest fleets of Linux kernels, and the gap between what "
        "it runs and what mainline offers keeps shrinking. This session is for the people "
        "closing that gap from both sides: build and test infrastructure, virtualization, "
        "file systems, memory management and power.\n\n"
        "Bring results, measurements and open questions; the aim is fewer out-of-tree "
        "patches next year than this one.",
        ("mclead-android@example.org", "Andy Droidson"),
        [
            (
                None,
                [
                    "io_uring in Android",
                    "MGLRU results on Android",
                    "Hermetic builds with Bazel",
                    "Android kernel testing updates",
                    "pKVM",
                    "erofs as a replacement for f2fs and the deprecation of ext4",
                    "eBPF-based FUSE",
                    "stgdiff tools",
                    "Technical debt",
                    "Parallelized suspend/resume",
                    "CPU DVFS for guest thread migrations",
                ],
            )
        ],
    ),
    (
        "open-printing",
        "Open Printing",
        "The OpenPrinting community on the next steps after driverless printing: new CUPS "
        "releases, 3D printers, testing and sandboxed printer applications.",
        "Printing and scanning on Linux mostly just work today, largely thanks to "
        "driverless protocols. That success moves the hard work elsewhere: the next major "
        "CUPS versions, printers that build objects layer by layer, continuous testing of "
        "many small projects, documentation people can actually find, and ways to package "
        "printer applications safely.\n\n"
        "Anyone who prints, scans or packages the stack is welcome.",
        ("mclead-printing@example.org", "Petra Pagewright"),
        [
            (
                None,
                [
                    "CUPS 2.5 and 3.0 Development",
                    "3D Printing",
                    "Testing and CI for OpenPrinting projects",
                    "Documentation for OpenPrinting projects",
                    "Sandboxing/Containerizing alternatives to Snap for Printer Applications "
                    "or CUPS",
                ],
            )
        ],
    ),
    (
        "cpu-isolation",
        "CPU Isolation",
        "How to find, track and remove the kernel and user-space noise that still "
        "interrupts CPUs set aside for latency-critical work.",
        "Packet-processing and other polling workloads want whole CPUs to themselves; a "
        "single interruption can mean dropped packets and a missed service level. The "
        "kernel already has the building blocks (nohz_full, RCU callback offloading, "
        "isolcpus), yet a simple synthetic load still reveals sources of noise.\n\n"
        "We will look at how to measure noise consistently, share the results publicly, "
        "and work through the known offenders, building on the recent osnoise tracing "
        "tools.",
        ("mclead-isolation@example.org", "Ivo Quietcore"),
        [
            (
                None,
                [
                    "OS noise profiling (format and public DB for the community)",
                    "Tracing to detect OS noise: the rtla osnoise tracer and what it’s missing",
                    "TLB/icache flush deferral",
                    "Extend cpuset v2 CPU partition feature to replace isolcpus kernel "
                    "command line",
                    "rt-trace-bpf tool",
                    "Task isolation",
                    "smp_call_function API improvements",
                ],
            )
        ],
    ),
    (
        "iot",
        "IoT",
        "Linux and Zephyr in connected devices: open silicon, new protocols and gateways, "
        "and the products people are building with them.",
        "The Internet of Things track returns for its fourth edition (announced as “IoTs a "
        "4-Letter Word”). Open hardware, firmware and software are reaching real products, "
        "and Linux and Zephyr increasingly run side by side in them.\n\n"
        "Newcomers and experienced embedded developers are equally welcome; come ready to "
        "compare notes on what shipped this year and what is still hard.",
        ("mclead-iot@example.org", "Ida Sensorova"),
        [
            (
                None,
                [
                    "The Zephyr Project released LTSv2",
                    "PyFive went from concept to an Open Source Silicon SoC via Google’s "
                    "eFabless shuttle. How will Open Source Silicon affect IoT?",
                    "Apache Thrift running in Zephyr. A new entry in the IoT toolbox.",
                    "Linux-wpan gains mac802154 support for scanning, beaconing and "
                    "coordinator handling",
                    "The Sound Open Firmware (SoF) project combines Linux ASOC drivers with "
                    "Zephyr audio DSP firmware",
                    "The Oniro Project breaks ground with a Matter + OpenThread gateway blueprint",
                    "A Matter open source project is being actively developed..",
                    "Linux-and-Zephyr-based products built with Yocto..",
                ],
            )
        ],
    ),
    (
        "real-time-and-scheduling",
        "Real-time and Scheduling",
        "The real-time and scheduler communities together: finishing the PREEMPT_RT merge "
        "and serving workloads from small devices to HPC.",
        "Most of PREEMPT_RT now lives in mainline, and what remains is close to ready. The "
        "scheduler, meanwhile, must give good latency and good throughput on topologies "
        "from battery-powered boards to supercomputers.\n\n"
        "Because the two subjects depend on each other, their developers meet in one room: "
        "to plan the last steps of the merge, to keep the rest of the kernel from breaking "
        "real-time guarantees, and to discuss new scheduling features.",
        ("mclead-rt@example.org", "Rico Deadline"),
        [
            (
                None,
                [
                    "How to scalqe PREEMPT_RT for very-large systems",
                    "Improve overall system partitioning for real-time HPC workloads",
                    "New tools for PREEMPT_RT analysis.",
                    "How do we teach the rest of the kernel developers how not to break "
                    "PREEMPT_RT?",
                    "The usage of PREEMPT_RT on safety-critical systems: what do we need to do?",
                    "The merge’s status, and how can we resolve the last issues that block "
                    "the merge.",
                    "Latency nice scheduling feature",
                    "Better support for new processors",
                    "What’s next?",
                ],
            )
        ],
    ),
    (
        "kernel-memory-management",
        "Kernel Memory Management",
        "Current problems of the kernel's memory management, with a different audience "
        "and at a different time of year than LSF/MM.",
        "LSF/MM is where memory-management developers usually meet; this microconference "
        "adds a second venue, later in the year and open to everyone who runs into the mm "
        "subsystem from the outside.\n\n"
        "The questions are concrete: which LRU design, how many slab allocators, how far "
        "folios should go, how to pin and map pages cheaply, how to cache shared file "
        "extents, how to offer gigantic pages and how to survive memory errors.",
        ("mclead-mm@example.org", "Mira Pagecache"),
        [
            (
                None,
                [
                    "Multi-generational LRU vs traditional LRU",
                    "Do we need three different slab allocators?",
                    "How far do we take the folio conversion?",
                    "Can we handle page pinning and page mapcount more effectively?",
                    "How can we effectively cache reflinked files?",
                    "Can we support 1GB pages other than through hugetlbfs?",
                    "How should we handle memory failures better?",
                ],
            )
        ],
    ),
]


def _ensure_outline(mc: Microconference, outline, actor) -> int:
    """Headings and topics exist in the announced order; returns how many topics were new.
    Anything a lead added stays, after the announced items."""
    created_topics = 0
    wanted_groups = []
    for heading, _ in outline:
        if heading is None:
            continue
        group = TopicGroup.objects.filter(microconference=mc, title=heading).first()
        if group is None:
            group = services.topic_group_create(microconference=mc, title=heading, actor=actor)
        wanted_groups.append(group)
    others = [
        g.pk
        for g in TopicGroup.objects.filter(microconference=mc).order_by("order", "pk")
        if g not in wanted_groups
    ]
    services.topic_group_reorder(
        microconference=mc, group_ids=[g.pk for g in wanted_groups] + others, actor=actor
    )
    groups = {g.title: g for g in wanted_groups}
    for heading, titles in outline:
        group = groups.get(heading)
        scope = Topic.objects.filter(microconference=mc, group=group)
        ids = []
        for title in titles:
            topic = scope.filter(title=title).first()
            if topic is None:
                topic = services.topic_create(
                    microconference=mc, title=title, group=group, actor=actor
                )
                created_topics += 1
            ids.append(topic.pk)
        extra = [
            pk for pk in scope.order_by("order", "pk").values_list("pk", flat=True) if pk not in ids
        ]
        services.topic_reorder(microconference=mc, group=group, topic_ids=ids + extra, actor=actor)
    return created_topics


def load(ctx) -> None:
    organizer = ctx.accounts.get("organizer")
    mc_lead = ctx.user(MC_LEAD_EMAIL, "Moe Leadbetter", password=MC_LEAD_PASSWORD)
    mc_lead.set_password(MC_LEAD_PASSWORD)
    mc_lead.save(update_fields=["password"])

    by_slug = {}
    new_topics = 0
    for order, (slug, title, summary, description, (email, name), outline) in enumerate(
        MICROCONFERENCES, start=1
    ):
        mc, _ = Microconference.objects.update_or_create(
            conference=ctx.conference,
            slug=slug,
            defaults={
                "title": title,
                "summary": summary,
                "description": description,
                "order": order,
                "complimentary_passes": 2,
            },
        )
        mc.leads.add(ctx.user(email, name))
        if slug == "vfio-iommu-pci":
            mc.leads.add(mc_lead)
        if mc.status != Microconference.Status.ACCEPTED:
            services.microconference_accept(
                microconference=mc, actor=organizer, reason="Announced on the LPC 2022 site."
            )
        new_topics += _ensure_outline(mc, outline, organizer)
        by_slug[slug] = mc

    ctx.extra["microconferences"] = by_slug
    total = Topic.objects.filter(microconference__in=by_slug.values()).count()
    ctx.out(
        f"Microconferences: {len(by_slug)} accepted, {total} topics ({new_topics} new), "
        f"2 complimentary passes each."
    )
    ctx.out(
        f"MC lead account: {MC_LEAD_EMAIL} / {MC_LEAD_PASSWORD} (leads VFIO/IOMMU/PCI; edit it "
        f"at /microconferences/vfio-iommu-pci/edit/)."
    )

"""What nvml.h cannot say about NVIDIA's struct classes of cuda.bindings.nvml.

gen/emit_records.py derives every class, field, size, offset and dtype from
the parsed header; these tables hold the choices NVIDIA's generator made
that no rule over the header reproduces (observed by running NVIDIA's
cuda-bindings 13.5.0).  tests/test_nvml_records.py fails on an entry that
names what the header lacks or whose removal changes nothing emitted.
"""

# Struct typedefs NVIDIA's module makes no class of: its functions take or
# return their members instead (nvmlDeviceGetFanSpeed_v2 returns the speed
# of an nvmlFanSpeedInfo_t), or it binds no function using them.  Typedef
# names of one struct beyond the last (nvmlProcessInfo_v2_t beside
# nvmlProcessInfo_t) and struct tags are no classes by rule.
NO_CLASS = {
    "nvmlEccErrorCounts_t", "nvmlProcessInfo_v1_t", "nvmlUnrepairableMemoryStatus_v1_t",
    "nvmlNvLinkUtilizationControl_t", "nvmlViolationTime_t", "nvmlUUIDValue_t", "nvmlUUID_v1_t",
    "nvmlPdi_v1_t", "nvmlDramEncryptionInfo_v1_t", "nvmlMarginTemperature_v1_t",
    "nvmlFanSpeedInfo_v1_t", "nvmlDevicePerfModes_v1_t", "nvmlDeviceCurrentClockFreqs_v1_t",
    "nvmlHostname_v1_t", "nvmlRusdSettings_v1_t", "nvmlPowerValue_v2_t",
    "nvmlVgpuHeterogeneousMode_v1_t", "nvmlVgpuPlacementId_v1_t", "nvmlVgpuPlacementList_v1_t",
    "nvmlVgpuRuntimeState_v1_t", "nvmlVgpuSchedulerSetState_t", "nvmlVgpuTypeMaxInstance_v1_t",
    "nvmlNvLinkPowerThres_t", "nvmlEventSetGetContextData_v1_t",
    "nvmlSystemEventSetCreateRequest_v1_t", "nvmlSystemEventSetFreeRequest_v1_t",
    "nvmlSystemRegisterEventRequest_v1_t", "nvmlSystemEventSetWaitRequest_v1_t",
    "nvmlConfComputeSetKeyRotationThresholdInfo_v1_t", "nvmlConfComputeGetKeyRotationThresholdInfo_v1_t",
    "nvmlGpuFabricInfo_t", "nvmlSystemDriverBranchInfo_v1_t", "nvmlTemperature_v1_t",
    "nvmlPRMTLV_v1_t", "nvmlPRMCounterList_v1_t", "nvmlGpuInstanceProfileInfo_t",
    "nvmlGpuInstanceProfileInfo_v2_t", "nvmlComputeInstanceProfileInfo_t", "nvmlGpmMetric_t",
    "nvmlGpmMetricsGet_t", "nvmlGpmSupport_t", "nvmlDeviceCapabilities_v1_t", "nvmlMask255_t",
    "nvmlWorkloadPowerProfileInfo_v1_t", "nvmlWorkloadPowerProfileProfilesInfo_v1_t",
    "nvmlWorkloadPowerProfileCurrentProfiles_v1_t", "nvmlWorkloadPowerProfileRequestedProfiles_v1_t",
    "nvmlWorkloadPowerProfileUpdateProfiles_v1_t", "nvmlPowerSmoothingProfile_v1_t",
    "nvmlPowerSmoothingState_v1_t",
}

# Classes NVIDIA's backs by a numpy array of n items (X(size=1)): the ones
# its functions fill as arrays and the items of fixed arrays in other
# structs, though not all of those (GpuFabricClique_v1 is plain).
ARRAY_CLASSES = {
    "nvmlBridgeChipInfo_t", "nvmlClkMonFaultInfo_t", "nvmlComputeInstancePlacement_t",
    "nvmlCoreRailMetrics_t", "nvmlEccSramUniqueUncorrectedErrorEntry_v1_t", "nvmlEncoderSessionInfo_t",
    "nvmlFBCSessionInfo_t", "nvmlFieldValue_t", "nvmlGpuInstancePlacement_t", "nvmlGridLicensableFeature_t",
    "nvmlHwbcEntry_t", "nvmlNvlinkFirmwareVersion_t", "nvmlNvlinkTelemetrySample_v1_t",
    "nvmlObservedMetrics_t", "nvmlPRMCounter_v1_t", "nvmlPerfMetricControllerSample_t",
    "nvmlPerfMetricsDlppc2xSample_t", "nvmlPerfMetricsPfpp1xSample_t", "nvmlPerfMetricsSample_t",
    "nvmlPmgrPwrTuple_t", "nvmlProcessDetail_v1_t", "nvmlProcessInfo_t", "nvmlProcessUtilizationInfo_v1_t",
    "nvmlProcessUtilizationSample_t", "nvmlPwrModelMetricsDlppm1x_t",
    "nvmlPwrModelMetricsDlppm1xDramclkEstimates_t", "nvmlPwrModelMetricsDlppm1xPerf_t",
    "nvmlPwrModelMetricsPfpp1x_t", "nvmlPwrModelMetricsSamplePfpp1x_t",
    "nvmlPwrModelOperatingPointPfpp1x_t", "nvmlRailMetrics_t", "nvmlSample_t", "nvmlSystemEventData_v1_t",
    "nvmlUnitFanInfo_t", "nvmlVgpuInstanceUtilizationInfo_v1_t", "nvmlVgpuInstanceUtilizationSample_t",
    "nvmlVgpuProcessUtilizationInfo_v1_t", "nvmlVgpuProcessUtilizationSample_t",
    "nvmlVgpuSchedulerLogEntry_t", "nvmlVgpuSchedulerLogEntry_v2_t",
    # anonymous members, by (struct, member)
    ("nvmlGpuThermalSettings_t", "sensor"), ("nvmlGpuDynamicPstatesInfo_t", "utilization"),
}

# Members that count the items of another member: NVIDIA's class has no
# attribute for the count; setting the array sets it, and reading the array
# gives that many items.  struct -> {array member: count member}.
COUNTS = {
    "nvmlActiveVgpuInstanceInfo_v1_t": {"vgpuInstances": "vgpuCount"},
    "nvmlBridgeChipHierarchy_t": {"bridgeChipInfo": "bridgeCount"},
    "nvmlClkMonStatus_t": {"clkMonList": "clkMonListSize"},
    "nvmlConfComputeGpuAttestationReport_t": {"attestationReport": "attestationReportSize",
                                              "cecAttestationReport": "cecAttestationReportSize"},
    "nvmlConfComputeGpuCertificate_t": {"certChain": "certChainSize",
                                        "attestationCertChain": "attestationCertChainSize"},
    "nvmlEccSramUniqueUncorrectedErrorCounts_v1_t": {"entries": "entryCount"},
    "nvmlGridLicensableFeatures_t": {"gridLicensableFeatures": "licensableFeaturesCount"},
    "nvmlNvlinkFirmwareInfo_t": {"firmwareVersion": "numValidEntries"},
    "nvmlNvlinkGetRemapTableInfo_v1_t": {"flaRemapTabAddr": "remapTabSize", "gpaRemapTabAddr": "remapTabSize"},
    "nvmlNvlinkNvlePrivateInfo_v1_t": {"data": "size"},
    "nvmlNvlinkSupportedBwModes_v1_t": {"bwModes": "totalBwModes"},
    "nvmlNvlinkTelemetrySamples_v1_t": {"telemetrySamples": "telemetryCount"},
    "nvmlPerfMetricsSample_t": {"controllerData": "numControllerData"},
    "nvmlPerfMetricsSamples_v1_t": {"samples": "numSamples"},
    "nvmlProcessDetailList_v1_t": {"procArray": "numProcArrayEntries"},
    "nvmlProcessesUtilizationInfo_v1_t": {"procUtilArray": "processSamplesCount"},
    "nvmlPwrModelMetricsDlppm1xDramclkEstimates_t": {"estimatedMetrics": "numEstimatedMetrics"},
    "nvmlPwrModelMetricsPfpp1x_t": {"estimatedMetrics": "numVfPoints"},
    "nvmlVgpuCreatablePlacementInfo_v1_t": {"placementIds": "placementSize"},
    "nvmlVgpuInstancesUtilizationInfo_v1_t": {"vgpuUtilArray": "vgpuInstanceCount"},
    "nvmlVgpuPlacementList_v2_t": {"placementIds": "count"},
    "nvmlVgpuProcessesUtilizationInfo_v1_t": {"vgpuProcUtilArray": "vgpuProcessCount"},
    "nvmlVgpuTypeIdInfo_v1_t": {"vgpuTypeIds": "vgpuCount"},
}

# Anonymous members are numbered _py_anon_pod<N> in header order; this one
# NVIDIA's numbers out of that order (the numbers before it go on without it).
ANON_NUMBERS = {("nvmlPerfMetricControllerSample_t", "data"): 8}

# Member names that are attributes of numpy's ndarray (the array classes'
# fields are the record's, read by name beside the array's own): NVIDIA's
# appends an underscore to the field's name.  Those nvml.h's members have;
# a new one named like another ndarray attribute (`shape`, `sum`) goes here.
NDARRAY_ATTRIBUTES = {"data", "device", "flags", "max", "min", "size"}

# Field names NVIDIA's breaks where its rule (emit_records.snake) does not:
# after the digit of bar1 in nvmlBAR1Memory_t only (nvmlVgpuTypeBar1Info_v1_t's
# bar1Size is bar1size).  (struct, member) -> name.
NAMES = {
    ("nvmlBAR1Memory_t", "bar1Total"): "bar1_total",
    ("nvmlBAR1Memory_t", "bar1Free"): "bar1_free",
    ("nvmlBAR1Memory_t", "bar1Used"): "bar1_used",
}


class Rules:
    """The struct classes of one module: which C structs are classes, and
    what of them the header cannot say (the tables above are NVML's)."""

    def __init__(self, key, prefix, no_class=(), array_classes=(), counts=None, anon_numbers=None,
                 names=None, all_arrays=False, ndarray_attributes=NDARRAY_ATTRIBUTES, prefixes=(), suffix="_t",
                 addresses_uncounted=False):
        self.key, self.prefix = key, prefix          # module key, C prefix of the typedefs (nvml, CUfile)
        self.prefixes = (prefix,) + tuple(prefixes)  # cuDLA's CudlaFence beside cudlaTask
        self.suffix = suffix                         # of the typedef names of classes ("_t"; cuDLA's: none)
        # a pointer to one struct that no member counts is its address, an int (cuDLA's), not a list of it
        self.addresses_uncounted = addresses_uncounted
        self.no_class = set(no_class)
        self.array_classes = set(array_classes)
        self.all_arrays = all_arrays                 # every class is an array class (cuFile's, cuDLA's)
        self.counts = counts or {}
        self.anon_numbers = anon_numbers or {}
        self.names = names or {}
        self.ndarray_attributes = ndarray_attributes

    def class_name(self, c_name):
        """The Python class name of a struct typedef (nvmlMemory_v2_t: Memory_v2), or None
        where the name is not one of this module's."""
        if not c_name.endswith(self.suffix):
            return None
        stem = c_name[:len(c_name) - len(self.suffix)]
        return next((stem[len(p):] for p in self.prefixes if stem.startswith(p) and len(stem) > len(p)), None)

    def is_array(self, key):
        return self.all_arrays or key in self.array_classes


NVML = Rules("nvml", "nvml", NO_CLASS, ARRAY_CLASSES, COUNTS, ANON_NUMBERS, NAMES)

# cuFile: the classes the calls fill as arrays are array classes (X(size=1));
# the statistics are plain.  CUfileDrvProps_t and the
# structs only it holds are no class in NVIDIA's (driver_get_properties takes
# an address), and its anonymous member is _py_anon_pod0 there all the same.
CUFILE = Rules("cufile", "CUfile", no_class={"CUfileError_t", "CUfileDrvProps_t", "CUfileFSOps_t"},
               array_classes={"CUfileDescr_t", "CUfileIOEvents_t", "CUfileIOParams_t", "CUfileIOVec_t",
                              "CUfilePerGpuStats_t"},
               anon_numbers={("CUfileDescr_t", "handle"): 1, ("CUfileIOParams_t", "u"): 2,
                             ("CUfileIOParams_t", "u.batch"): 3},
               ndarray_attributes={"base", "size"},   # CUfileIOVec_t's base, the batch's size
               )

# cuDLA: every class is plain; the typedef names have no _t, and the fence's
# its own capital (CudlaFence).  The event and task counts are no attributes.
CUDLA = Rules("cudla", "cudla", prefixes=("Cudla",), suffix="",
              counts={"cudlaWaitEvents": {"preFences": "numEvents"},
                      "cudlaSignalEvents": {"devPtrs": "numEvents", "eofFences": "numEvents"},
                      "cudlaTask": {"outputTensor": "numOutputTensors", "inputTensor": "numInputTensors"}},
              ndarray_attributes={"size"}, addresses_uncounted=True)

RULES = {"nvml": NVML, "cufile": CUFILE, "cudla": CUDLA}

import Testing
import CVibectl
import VibectlABI
@Test func t2() { #expect(vibectl_abi_version() == 1) }

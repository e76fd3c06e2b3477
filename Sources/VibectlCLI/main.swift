import CVibectl
print(vibectl_abi_version())

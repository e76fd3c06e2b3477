@_exported import VibectlABI

/** The outcome of a vendor-specific DataTransfer (the same status set in 1.6 and 2.x). */
export interface DataTransferResult {
  status: 'Accepted' | 'Rejected' | 'UnknownMessageId' | 'UnknownVendorId';
  data?: unknown;
}

export interface DataTransferRequest {
  vendorId: string;
  messageId?: string | undefined;
  data?: unknown;
}

/** A vendor extension: handles the DataTransfer messages of one vendorId. */
export type VendorExtension = (stationId: string, request: DataTransferRequest) => Promise<DataTransferResult> | DataTransferResult;

/** Routes station DataTransfer messages to vendor extensions; unknown vendors get `UnknownVendorId`. */
export class DataTransferService {
  private readonly extensions = new Map<string, VendorExtension>();

  /** Registers the extension for a vendorId (compared exactly, as the spec's vendorId is an identifier). */
  register(vendorId: string, extension: VendorExtension): void {
    this.extensions.set(vendorId, extension);
  }

  async receive(stationId: string, request: DataTransferRequest): Promise<DataTransferResult> {
    const extension = this.extensions.get(request.vendorId);
    if (!extension) return { status: 'UnknownVendorId' };
    return extension(stationId, request);
  }
}

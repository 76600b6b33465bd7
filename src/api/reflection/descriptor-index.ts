import { toBinary, type DescFile, type DescService } from "@bufbuild/protobuf";
import { nestedTypes } from "@bufbuild/protobuf/reflect";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";

/**
 * Everything server reflection needs to know, built once from the generated
 * descriptors of the services we serve: their files, the files those import
 * (transitively, down to google/protobuf/*), and every fully qualified name.
 */
export interface DescriptorIndex {
  /** Fully qualified names of the served services, sorted. */
  readonly serviceNames: readonly string[];
  /** A file by its path ("zitadel/management.proto"). */
  fileByName(name: string): DescFile | undefined;
  /** The file declaring a symbol: package-qualified message, enum, enum value, field, oneof, service, method or extension. */
  fileContainingSymbol(symbol: string): DescFile | undefined;
  /** The file declaring extension `number` of a message type. */
  fileContainingExtension(typeName: string, number: number): DescFile | undefined;
  /** Extension numbers known for a message type; undefined when the type is unknown. */
  extensionNumbers(typeName: string): number[] | undefined;
  /** Serialized FileDescriptorProtos: the file first, then everything it imports. */
  encodeWithDependencies(file: DescFile): Uint8Array[];
}

export function createDescriptorIndex(services: readonly DescService[]): DescriptorIndex {
  const files = new Map<string, DescFile>();
  const visit = (file: DescFile) => {
    if (files.has(file.proto.name)) return;
    files.set(file.proto.name, file);
    file.dependencies.forEach(visit);
  };
  services.forEach((service) => visit(service.file));

  const symbols = new Map<string, DescFile>();
  const messageTypes = new Set<string>();
  const extensions = new Map<string, Map<number, DescFile>>();
  for (const file of files.values()) {
    for (const type of nestedTypes(file)) {
      symbols.set(type.typeName, file);
      switch (type.kind) {
        case "message":
          messageTypes.add(type.typeName);
          for (const field of type.fields) symbols.set(`${type.typeName}.${field.name}`, file);
          for (const oneof of type.oneofs) symbols.set(`${type.typeName}.${oneof.name}`, file);
          break;
        case "enum": {
          // Enum values are scoped like their enum, not inside it.
          const scope = type.typeName.slice(0, Math.max(0, type.typeName.lastIndexOf(".")));
          for (const value of type.values) symbols.set(scope ? `${scope}.${value.name}` : value.name, file);
          break;
        }
        case "service":
          for (const method of type.methods) symbols.set(`${type.typeName}.${method.name}`, file);
          break;
        case "extension": {
          const byNumber = extensions.get(type.extendee.typeName) ?? new Map<number, DescFile>();
          byNumber.set(type.number, file);
          extensions.set(type.extendee.typeName, byNumber);
          break;
        }
      }
    }
  }

  const encoded = new Map<DescFile, Uint8Array>();
  const encode = (file: DescFile) => {
    let bytes = encoded.get(file);
    if (!bytes) {
      bytes = toBinary(FileDescriptorProtoSchema, file.proto);
      encoded.set(file, bytes);
    }
    return bytes;
  };

  return {
    serviceNames: services.map((service) => service.typeName).sort(),
    fileByName: (name) => files.get(name),
    fileContainingSymbol: (symbol) => symbols.get(symbol.replace(/^\./, "")),
    fileContainingExtension: (typeName, number) => extensions.get(typeName.replace(/^\./, ""))?.get(number),
    extensionNumbers(typeName) {
      const name = typeName.replace(/^\./, "");
      if (!messageTypes.has(name)) return undefined;
      return [...(extensions.get(name)?.keys() ?? [])].sort((a, b) => a - b);
    },
    encodeWithDependencies(file) {
      const ordered: DescFile[] = [];
      const add = (f: DescFile) => {
        if (ordered.includes(f)) return;
        ordered.push(f);
        f.dependencies.forEach(add);
      };
      add(file);
      return ordered.map(encode);
    },
  };
}

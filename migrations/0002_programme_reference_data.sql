-- The municipalities and focus areas of Preventie met gezag (programme
-- announcement, July 2022). Data, not code: the programme can add areas with
-- a new migration or by an administrator, without a release.

create table municipalities (
    code text primary key check (code ~ '^GM[0-9]{4}$'),
    name text not null unique
);

create table focus_areas (
    code         text primary key check (code ~ '^[a-z0-9][a-z0-9-]*[a-z0-9]$'),
    name         text not null unique,
    municipality text not null references municipalities (code)
);

insert into municipalities (code, name) values
    ('GM0080', 'Leeuwarden'),
    ('GM0014', 'Groningen'),
    ('GM0202', 'Arnhem'),
    ('GM0917', 'Heerlen'),
    ('GM0758', 'Breda'),
    ('GM0772', 'Eindhoven'),
    ('GM0855', 'Tilburg'),
    ('GM0606', 'Schiedam'),
    ('GM0599', 'Rotterdam'),
    ('GM0518', 'Den Haag'),
    ('GM0363', 'Amsterdam'),
    ('GM0479', 'Zaanstad'),
    ('GM0995', 'Lelystad'),
    ('GM0344', 'Utrecht'),
    ('GM0356', 'Nieuwegein'),
    ('GM0622', 'Vlaardingen'),
    ('GM0503', 'Delft'),
    ('GM0505', 'Dordrecht'),
    ('GM1674', 'Roosendaal');

insert into focus_areas (code, name, municipality) values
    ('leeuwarden-oost',         'Leeuwarden-Oost',         'GM0080'),
    ('groningen-noord',         'Groningen Noord',         'GM0014'),
    ('arnhem-oost',             'Arnhem Oost',             'GM0202'),
    ('heerlen-noord',           'Heerlen Noord',           'GM0917'),
    ('breda-noord',             'Breda Noord',             'GM0758'),
    ('eindhoven-woensel-zuid',  'Eindhoven Woensel-Zuid',  'GM0772'),
    ('tilburg-noordwest',       'Tilburg Noordwest',       'GM0855'),
    ('schiedam-nieuwland-oost', 'Schiedam Nieuwland-Oost', 'GM0606'),
    ('rotterdam-zuid',          'Rotterdam-Zuid',          'GM0599'),
    ('den-haag-zuidwest',       'Den Haag Zuidwest',       'GM0518'),
    ('amsterdam-zuidoost',      'Amsterdam Zuidoost',      'GM0363'),
    ('amsterdam-nieuw-west',    'Amsterdam Nieuw-West',    'GM0363'),
    ('zaandam-oost',            'Zaandam Oost',            'GM0479'),
    ('lelystad-oost',           'Lelystad Oost',           'GM0995'),
    ('utrecht-overvecht',       'Utrecht Overvecht',       'GM0344'),
    ('nieuwegein-centrale-as',  'Nieuwegein Centrale-As',  'GM0356'),
    ('vlaardingen-west',        'Vlaardingen West',        'GM0622'),
    ('delft-west',              'Delft West',              'GM0503'),
    ('dordrecht-west',          'Dordrecht West',          'GM0505'),
    ('roosendaal-stad',         'Roosendaal-stad',         'GM1674');
